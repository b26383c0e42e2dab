/** @odoo-module **/

import { registry } from "@web/core/registry";

const COMPLAINT = "gali me street light 1 hafte se band hai";

// Part 1: a new citizen types a complaint; the webhook stores it (the tick turns into ✓✓).
registry.category("web_tour.tours").add("mp15_whatsapp_simulator_send", {
    url: "/odoo/whatsapp-simulator",
    steps: () => [
        {
            content: "Start as a new citizen, without history",
            trigger: ".o_mp15_sim .o_mp15_sim_new",
            run: "click",
        },
        {
            content: "The new citizen's number is shown",
            trigger: ".o_mp15_sim_phone:not([data-phone='+919876543210'])",
        },
        {
            content: "Type the complaint",
            trigger: ".o_mp15_sim_input",
            run: `edit ${COMPLAINT}`,
        },
        {
            content: "Send it",
            trigger: ".o_mp15_sim_send",
            run: "click",
        },
        {
            content: "The real webhook stored the signed message",
            trigger: `.o_mp15_sim_bubble.o_in[data-state='received']:contains('${COMPLAINT}')`,
        },
    ],
});

// Part 2 (after the bot's scheduled actions ran): the bot's reply is on the phone.
registry.category("web_tour.tours").add("mp15_whatsapp_simulator_reply", {
    url: "/odoo/whatsapp-simulator",
    steps: () => [
        {
            content: "Open the chat of the citizen who complained",
            trigger: ".o_mp15_sim_citizen",
            run: "selectByIndex 1",
        },
        {
            content: "The chat is that citizen's",
            trigger: ".o_mp15_sim_phone:not([data-phone='+919876543210'])",
        },
        {
            content: "The complaint is there",
            trigger: `.o_mp15_sim_bubble.o_in:contains('${COMPLAINT}')`,
        },
        {
            content: "The bot answered and the answer was sent",
            trigger: ".o_mp15_sim_bubble.o_out[data-state='sent'], .o_mp15_sim_bubble.o_out[data-state='read']",
        },
    ],
});
