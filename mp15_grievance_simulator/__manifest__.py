{
    "name": "MP15 Grievances: WhatsApp Simulator",
    "summary": "Chat with the grievance bot as a citizen, without Meta: for demonstrations and staff training",
    "version": "18.0.1.0.0",
    "category": "Services/Grievances",
    "author": "Sagar Municipal Corporation",
    "website": "https://sagarmc.mp.gov.in",
    "license": "LGPL-3",
    "depends": ["mp15_grievance"],
    "data": [
        "data/mp15_whatsapp_account_data.xml",
        "views/mp15_whatsapp_account_views.xml",
        "views/mp15_whatsapp_simulator_views.xml",
    ],
    "assets": {
        "web.assets_backend": ["mp15_grievance_simulator/static/src/*"],
        "web.assets_tests": ["mp15_grievance_simulator/static/tests/**/*"],
    },
    "installable": True,
}
