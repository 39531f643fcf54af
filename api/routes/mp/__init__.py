"""The mini-program's API (``/api/mp``), one module per resource: auth (login and the session), chat (the same
dialogs as the official account), reports (the form, with categories and suggestions), cases (one's own cases,
ratings, subscribe-message grants). Every call but login and the category list takes
``Authorization: Bearer <token>`` and sees only the token's resident's cases.
"""
