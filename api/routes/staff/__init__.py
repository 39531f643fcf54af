"""The staff API (``/api/staff``), one module per resource: auth, cases, case actions, inbox, exports, reports,
templates. Every route is a thin shell over :mod:`cases` and :mod:`reply_templates`; staff read Simplified
Chinese (labels, error details). Every staff action lands in the case timeline with the staff member's name.
"""
