/** @odoo-module **/
// The councillor's board on a phone (tests/test_councillor.py): their ward's figures, filing for a constituent.

import { registry } from "@web/core/registry";

function fitsTheScreen() {
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 1) {
        throw new Error(`The page is ${overflow}px wider than the ${window.innerWidth}px screen`);
    }
}

registry.category("web_tour.tours").add("mp15_councillor_board", {
    steps: () => [
        {
            content: "The ward's figures above the board: filed, resolved, overdue by department",
            trigger: ".o_mp15_ward_figures .o_mp15_ward_row:contains(Teen Batti (test)) + .o_mp15_overdue_departments:contains(Water Supply (test))",
            run: fitsTheScreen,
        },
        {
            content: "The board itself is below the figures",
            trigger: ".o_mp15_ward_figures + .o_kanban_renderer .o_kanban_record",
        },
        {
            content: "File for a constituent",
            trigger: ".o_mp15_file_constituent",
            run: "click",
        },
        {
            content: "The citizen's name",
            trigger: ".modal div[name=citizen_name] input",
            run: "edit Ramkali Ahirwar",
        },
        {
            content: "Their mobile",
            trigger: ".modal div[name=phone] input",
            run: "edit 9111100078",
        },
        {
            content: "The category",
            trigger: ".modal div[name=category_id] select",
            run: "selectByLabel No water",
        },
        {
            content: "What the problem is",
            trigger: ".modal div[name=description] textarea",
            run: "edit Hand pump broken near the well",
        },
        {
            content: "The dialog fits the phone",
            trigger: ".modal .o_mp15_constituent",
            run: fitsTheScreen,
        },
        {
            content: "File it",
            trigger: ".modal .o_mp15_constituent_file",
            run: "click",
        },
        {
            content: "The grievance is filed and opens",
            trigger: ".o_form_view .oe_title:contains(MP15-)",
        },
        {
            content: "Its stage bar does not invite a councillor's click",
            trigger: ".o_form_view .o_mp15_statusbar_readonly button.o_arrow_button:disabled",
        },
        {
            content: "Filing goes through the dialog only: no New button for a councillor",
            trigger: ".o_form_view .o_control_panel:not(:has(.o_form_button_create))",
        },
    ],
});
