"""The browser tests share the live app and Debian's Chromium (defined with the first of them)."""

from tests.browser.test_full_loop import browser, running  # noqa: F401  (fixtures)
