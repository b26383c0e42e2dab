/** @odoo-module **/
// The Resolve dialog in the back office (tests/test_resolve.py: TOUR_NOTE, TOUR_LATE_NOTE, TOUR_DELAY).

import { registry } from "@web/core/registry";
import { inputFiles } from "@web/../tests/utils";

const NOTE = "Pipe joint replaced near the water tank; supply is back.";
const LATE_NOTE = "Main valve replaced after the part arrived.";
const DELAY = "The valve had to come from Bhopal.";
// A 1×1 PNG, as a phone's camera would hand over a photo.
const PNG_BASE64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function fitsTheScreen() {
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 1) {
        throw new Error(`The page is ${overflow}px wider than the ${window.innerWidth}px screen`);
    }
}

registry.category("web_tour.tours").add("mp15_resolve_on_a_phone", {
    steps: () => [
        {
            content: "On a phone, Resolve is the first thing on the grievance",
            trigger: ".o_form_view .o_mp15_resolve_phone",
            run: "click",
        },
        {
            content: "One dialog: what was done and a photo, nothing about a delay for an on-time grievance",
            trigger: ".modal .o_mp15_resolve:not(:has(div[name=delay_reason_id], .o_mp15_resolve_late))",
            run: fitsTheScreen,
        },
        {
            content: "The photo input offers the camera (any image)",
            trigger: ".modal div[name=resolution_image] input[type=file][accept='image/*']:not(:visible)",
        },
        {
            content: "Write what was done",
            trigger: ".modal div[name=resolution_note] textarea",
            run: `edit ${NOTE}`,
        },
        {
            content: "Take the photo of the fix",
            trigger: ".modal div[name=resolution_image]",
            async run() {
                const blob = await (await fetch(`data:image/png;base64,${PNG_BASE64}`)).blob();
                await inputFiles(".modal div[name=resolution_image] input[type=file]", [
                    new File([blob], "fixed.png", { type: "image/png" }),
                ]);
            },
        },
        {
            content: "The photo is shown in the dialog",
            trigger: ".modal div[name=resolution_image] img[src^='data:image/png']",
        },
        {
            content: "Resolve",
            trigger: ".modal .o_mp15_resolve_confirm",
            run: "click",
        },
        {
            content: "The dialog closes and the grievance is no longer open",
            trigger: "body:not(:has(.modal)) .o_form_view:not(:has(.o_mp15_resolve_phone))",
            run: fitsTheScreen,
        },
    ],
});

registry.category("web_tour.tours").add("mp15_resolve_late", {
    steps: () => [
        {
            content: "The board shows the late grievance with its hours overdue",
            trigger: ".o_kanban_record:contains(overdue) .o_mp15_card_resolve",
        },
        {
            content: "Resolve from the card, without opening the grievance",
            trigger: ".o_kanban_record:contains(overdue) .o_mp15_card_resolve",
            run: "click",
        },
        {
            content: "The dialog says the deadline was missed and asks why",
            trigger: ".modal .o_mp15_resolve .o_mp15_resolve_late",
        },
        {
            content: "Write what was done",
            trigger: ".modal div[name=resolution_note] textarea",
            run: `edit ${LATE_NOTE}`,
        },
        {
            content: "Try to resolve without a reason",
            trigger: ".modal .o_mp15_resolve_confirm",
            run: "click",
        },
        {
            content: "The reason for delay is required",
            trigger: ".modal div[name=delay_reason_id].o_field_invalid",
        },
        {
            content: "Choose the reason",
            trigger: ".modal div[name=delay_reason_id] input",
            run: "edit Weather",
        },
        {
            content: "Weather",
            trigger: ".o-autocomplete--dropdown-item a:contains(Weather)",
            run: "click",
        },
        {
            content: "Explain the delay",
            trigger: ".modal div[name=delay_reason] textarea",
            run: `edit ${DELAY}`,
        },
        {
            content: "Resolve",
            trigger: ".modal .o_mp15_resolve_confirm",
            run: "click",
        },
        {
            content: "The dialog closes; the card has nothing left to resolve",
            trigger: "body:not(:has(.modal)) .o_kanban_view:not(:has(.o_kanban_record:contains(overdue)))",
        },
    ],
});
