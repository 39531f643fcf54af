"""Channel adapters: turn what a channel delivers into :class:`bot.types.Update` and answers back."""
