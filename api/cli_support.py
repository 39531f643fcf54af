"""What every ``intake`` sub-command shares: the settings, or one line naming the bad variable."""

from __future__ import annotations

import typer

from api.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
