{
    "name": "mp15 bench: the cheapest durable webhook",
    "summary": "Benchmarks only (make bench-whatsapp): a route that stores the request body and nothing else",
    "description": """
Installed only in the benchmark database, never in production (its folder is not on the addons path of
`make run`). ``bench/whatsapp_bench.py`` loads this route alongside the WhatsApp webhook and /web/health:
its rate is the most any Odoo route that commits what it received can reach on the machine, the yardstick
for the webhook's own figure.
""",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "author": "mp15_grievance",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
