/** @odoo-module **/

import { registry } from "@web/core/registry";
import { inputFiles } from "@web/../tests/utils";

// Names and places come from tests/test_portal.py (TOUR_CATEGORY, Mp15Case.POINT_WARD_1, SECRET_DESCRIPTION).
const CATEGORY = "Pothole (test)";
const WARD = "Teen Batti (test)";
const POINT_IN_WARD = { latitude: 23.95, longitude: 78.95 };
const DESCRIPTION = "Deep pothole outside the girls school and two scooters fell this week";
// A 1×1 red PNG, as a phone's gallery would hand it over.
const PNG_BASE64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function pageFitsTheScreen() {
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 1) {
        throw new Error(`The page is ${overflow}px wider than the ${window.innerWidth}px screen`);
    }
}

registry.category("web_tour.tours").add("mp15_portal_file_grievance", {
    url: "/my/home",
    steps: () => [
        {
            content: "The portal home counts the citizen's grievances",
            trigger: ".o_portal_index_card:not(.d-none) [data-placeholder_count=grievance_count]:contains(2)",
        },
        {
            content: "File a new one",
            trigger: ".o_portal_index_card a[href='/my/grievances/new']",
            run: "click",
        },
        {
            content: "Choose the category",
            trigger: "select[name=category_id]",
            run(helpers) {
                const option = [...this.anchor.options].find((option) => option.text.trim() === CATEGORY);
                return helpers.select(option.value);
            },
        },
        {
            content: "Describe the problem",
            trigger: "textarea[name=description]",
            run: `edit ${DESCRIPTION}`,
        },
        {
            content: "Share the location (the citizen allows it; the browser answers with a point in the ward)",
            trigger: ".o_mp15_use_location",
            run(helpers) {
                navigator.geolocation.getCurrentPosition = (success) =>
                    setTimeout(() => success({ coords: { ...POINT_IN_WARD, accuracy: 12 } }));
                return helpers.click();
            },
        },
        {
            content: "The location is added",
            trigger: ".o_mp15_location_status [data-status=found]:not(.d-none):contains('23.95000, 78.95000')",
        },
        {
            content: "Choose a document by mistake",
            trigger: "input[name=photos]",
            async run() {
                await inputFiles("input[name=photos]", [
                    new File(["%PDF-1.4"], "bill.pdf", { type: "application/pdf" }),
                ]);
            },
        },
        {
            content: "The form says it is not a photo before anything is sent",
            trigger: ".o_mp15_photo_check[data-check=type]:not(.d-none)",
        },
        {
            content: "Attach a photo",
            trigger: "input[name=photos]",
            async run() {
                const blob = await (await fetch(`data:image/png;base64,${PNG_BASE64}`)).blob();
                await inputFiles("input[name=photos]", [
                    new File([blob], "pothole.png", { type: "image/png" }),
                ]);
            },
        },
        {
            content: "The photo is previewed, with no warning",
            trigger: ".o_mp15_photo_previews img[alt='pothole.png']",
            run() {
                if (document.querySelector(".o_mp15_photo_check:not(.d-none)")) {
                    throw new Error("A valid photo was flagged");
                }
            },
        },
        {
            content: "File it",
            trigger: ".o_mp15_submit",
            run: "click",
        },
        {
            content: "The grievance page confirms the filing",
            trigger: ".o_mp15_notice[data-notice=filed]",
        },
        {
            content: "The ward was found from the location",
            trigger: `.o_mp15_ward:contains("${WARD}")`,
        },
        {
            content: "The photo is on the page",
            trigger: ".o_mp15_photos img.o_mp15_photo",
        },
        {
            content: "Go to the list of grievances",
            trigger: ".o_portal_submenu a[href='/my/grievances']",
            run: "click",
        },
        {
            content: "The new grievance is listed",
            trigger: `.o_mp15_grievance_row:contains("${CATEGORY}") .o_mp15_status[data-state=new]`,
        },
        {
            content: "Open it from the list",
            trigger: `.o_mp15_grievance_row:contains("${CATEGORY}") a`,
            run: "click",
        },
        {
            content: "Its page shows what the citizen wrote",
            trigger: `.o_mp15_description:contains("${DESCRIPTION}")`,
        },
    ],
});

registry.category("web_tour.tours").add("mp15_portal_not_satisfied", {
    steps: () => [
        {
            content: "The WhatsApp link opens the resolved grievance without a login",
            trigger: ".o_mp15_portal_grievance[data-state=resolved] .o_mp15_resolution",
            run: pageFitsTheScreen,
        },
        {
            content: "Nobody is logged in: no link to other grievances",
            trigger: "body:not(:has(.o_portal_submenu a[href='/my/grievances']))",
        },
        {
            content: "The citizen is not satisfied",
            trigger: ".o_mp15_feedback .o_mp15_not_satisfied",
            run: "click",
        },
        {
            content: "Thanked, and told the grievance is reopened",
            trigger: ".o_mp15_notice[data-notice=not_satisfied]",
        },
        {
            content: "It is open again, with no feedback buttons",
            trigger: ".o_mp15_portal_grievance[data-state=new]:not(:has(.o_mp15_feedback))",
            run: pageFitsTheScreen,
        },
        {
            content: "The new deadline is shown",
            trigger: ".o_mp15_deadline",
        },
    ],
});

registry.category("web_tour.tours").add("mp15_portal_wrong_token", {
    steps: () => [
        {
            content: "A wrong token shows the not-found page",
            trigger: ".o_mp15_not_found",
        },
        {
            content: "Nothing of the grievance is on it",
            trigger: "body:not(:has(.o_mp15_portal_grievance, .o_portal_chatter, .o_mp15_reference))",
            run() {
                if (document.body.innerText.includes("Priya's private complaint")) {
                    throw new Error("The grievance's description leaked");
                }
            },
        },
    ],
});
