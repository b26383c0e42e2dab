"""The pure core of mp15_grievance: nothing below this folder imports ``odoo``.

Odoo models call these modules; the top-level ``tests/`` run them with plain pytest.
"""
