/** @odoo-module **/

import { Component, markup, onMounted, onWillStart, onWillUnmount, useEffect, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { escape } from "@web/core/utils/strings";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const MODEL = "mp15.whatsapp.simulator";
const WEBHOOK_URL = "/mp15/whatsapp/webhook";
const POLL_MS = 1000;
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const PHOTO_TYPES = ["image/jpeg", "image/png"];
// Rows in these states do not change any more: the page stops re-reading them.
const SETTLED_STATES = new Set(["read", "failed", "processed", "error"]);

export const DEFAULT_CITIZEN = { phone: "+919876543210", display: "+91 98765 43210", name: "राजेश कुमार" };
const NEW_CITIZEN_NAMES = ["सुनीता पटेल", "Priya Sharma", "Mohd Imran", "गीता विश्वकर्मा", "Ankit Jain", "रमेश यादव"];

export const LOCATION_PRESETS = [
    { name: "Teen Batti", latitude: 23.8388, longitude: 78.7378 },
    { name: "Katra", latitude: 23.8359, longitude: 78.7365 },
    { name: "Bada Bazar", latitude: 23.8396, longitude: 78.7446 },
    { name: "Gopalganj", latitude: 23.8392, longitude: 78.751 },
    { name: "Civil Lines", latitude: 23.8448, longitude: 78.7504 },
    { name: "Outside the city (Rahatgarh road)", latitude: 23.79, longitude: 78.6 },
];

const URL_RE = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]']/g;

/** WhatsApp's inline formatting (*bold* _italic_ ~strike~ ```mono```) on already escaped text. */
function formatInline(html) {
    return html
        .replace(/```([^`]+)```/g, "<code>$1</code>")
        .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, "$1<b>$2</b>")
        .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, "$1<i>$2</i>")
        .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/g, "$1<s>$2</s>");
}

/** A message text as WhatsApp shows it: escaped, formatted, links clickable (new tab), line breaks kept. */
export function formatWhatsappText(text) {
    const source = text || "";
    const parts = [];
    let last = 0;
    for (const match of source.matchAll(URL_RE)) {
        parts.push(formatInline(escape(source.slice(last, match.index))));
        const url = escape(match[0]);
        parts.push(`<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`);
        last = match.index + match[0].length;
    }
    parts.push(formatInline(escape(source.slice(last))));
    return markup(parts.join("").replace(/\n/g, "<br/>"));
}

function errorText(error) {
    if (error?.data?.message) {
        return error.data.message;
    }
    return error?.message || String(error);
}

class WebhookError extends Error {}

export class WhatsappSimulator extends Component {
    static template = "mp15_grievance_simulator.WhatsappSimulator";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.presets = LOCATION_PRESETS;
        this.state = useState({
            account: {},
            citizens: [],
            citizen: { ...DEFAULT_CITIZEN },
            phoneInput: DEFAULT_CITIZEN.display,
            nameInput: DEFAULT_CITIZEN.name,
            items: [],
            text: "",
            sheet: null, // "location" or "list"
            listItemKey: null,
            latitude: "",
            longitude: "",
            pollError: "",
        });
        this.lastId = 0;
        this.localKey = 0;
        this.acknowledged = new Set();
        this.polling = false;
        this.messagesRef = useRef("messages");
        this.photoRef = useRef("photo");

        onWillStart(async () => {
            const [account, citizens] = await Promise.all([
                this.orm.call(MODEL, "simulator_account", []),
                this.orm.call(MODEL, "citizens", []),
            ]);
            this.state.account = account;
            this.state.citizens = citizens;
            await this.poll();
        });
        onMounted(() => {
            this.interval = setInterval(() => this.poll(), POLL_MS);
        });
        onWillUnmount(() => {
            clearInterval(this.interval);
            this.destroyed = true;
        });
        useEffect(
            () => {
                const element = this.messagesRef.el;
                if (element) {
                    element.scrollTop = element.scrollHeight;
                }
            },
            () => [this.state.items.length]
        );
    }

    // ------------------------------------------------------------------ citizens

    get citizenChoices() {
        const choices = [DEFAULT_CITIZEN, ...this.state.citizens];
        const current = this.state.citizen;
        if (!choices.some((citizen) => citizen.phone === current.phone)) {
            choices.unshift(current);
        }
        return choices.filter(
            (citizen, index) => choices.findIndex((other) => other.phone === citizen.phone) === index
        );
    }

    citizenLabel(citizen) {
        return citizen.name ? `${citizen.name} · ${citizen.display}` : citizen.display;
    }

    onPickCitizen(ev) {
        const citizen = this.citizenChoices.find((choice) => choice.phone === ev.target.value);
        if (citizen) {
            this.switchCitizen(citizen);
        }
    }

    async openTypedCitizen() {
        try {
            const citizen = await this.orm.call(MODEL, "check_citizen", [
                this.state.phoneInput,
                this.state.nameInput,
            ]);
            this.switchCitizen(citizen);
        } catch (error) {
            this.showError(errorText(error));
        }
    }

    async newCitizen() {
        for (let attempt = 0; attempt < 5; attempt++) {
            const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, "0");
            const name = NEW_CITIZEN_NAMES[Math.floor(Math.random() * NEW_CITIZEN_NAMES.length)];
            try {
                const citizen = await this.orm.call(MODEL, "check_citizen", [`9${digits}`, name]);
                if (!this.state.citizens.some((known) => known.phone === citizen.phone)) {
                    this.switchCitizen(citizen);
                    return;
                }
            } catch {
                // an unallocated number range: draw another
            }
        }
        this.showError(_t("Could not draw a new number; type one instead."));
    }

    switchCitizen(citizen) {
        this.state.citizen = { ...citizen, name: citizen.name || this.state.nameInput || "" };
        this.state.phoneInput = citizen.display;
        this.state.nameInput = this.state.citizen.name;
        this.state.items = [];
        this.state.sheet = null;
        this.state.pollError = "";
        this.lastId = 0;
        this.poll();
    }

    // ------------------------------------------------------------------ transcript

    async poll() {
        if (this.polling || this.destroyed) {
            return;
        }
        this.polling = true;
        const phone = this.state.citizen.phone;
        try {
            const entries = await this.orm.silent.call(MODEL, "transcript", [phone], { after_id: this.afterId() });
            if (phone === this.state.citizen.phone && !this.destroyed) {
                this.merge(entries);
                this.state.pollError = "";
                this.acknowledge();
            }
        } catch (error) {
            if (!this.destroyed) {
                this.state.pollError = errorText(error);
            }
        } finally {
            this.polling = false;
        }
    }

    /** Re-read from the oldest message whose state may still change (queued → sent → read …). */
    afterId() {
        let after = this.lastId;
        for (const item of this.state.items) {
            if (item.id && !SETTLED_STATES.has(item.state)) {
                after = Math.min(after, item.id - 1);
            }
        }
        return after;
    }

    merge(entries) {
        for (const entry of entries) {
            this.lastId = Math.max(this.lastId, entry.id);
            const known = this.state.items.find(
                (item) =>
                    item.id === entry.id ||
                    (!item.id && entry.wa_message_id && item.wa_message_id === entry.wa_message_id)
            );
            if (known) {
                Object.assign(known, entry, { local: false });
            } else {
                this.state.items.push({ ...entry, key: `m${entry.id}`, local: false });
            }
        }
    }

    quoted(item) {
        if (!item.reply_to) {
            return null;
        }
        const original = this.state.items.find((other) => other.wa_message_id === item.reply_to);
        return original ? (original.body || "").split("\n")[0] : null;
    }

    formatted(text) {
        return formatWhatsappText(text);
    }

    timeOf(item) {
        const date = item.time ? new Date(item.time) : new Date();
        return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }

    ticks(item) {
        const ticks = {
            queued: "🕓",
            pending: "🕓",
            posted: "✓",
            sent: "✓",
            received: "✓✓",
            delivered: "✓✓",
            read: "✓✓",
            processed: "✓✓",
            failed: "⚠",
            error: "⚠",
            not_sent: "⚠",
        };
        return ticks[item.state] || "";
    }

    tickTitle(item) {
        const titles = {
            queued: _t("Queued: waiting for the sender"),
            pending: _t("Sending to the webhook…"),
            posted: _t("Accepted by the webhook"),
            sent: _t("Sent"),
            received: _t("Stored by the webhook"),
            delivered: _t("Delivered"),
            read: _t("Read"),
            processed: _t("Handled by the bot"),
            failed: _t("Failed"),
            error: _t("The bot could not handle it"),
            not_sent: _t("Not sent"),
        };
        return titles[item.state] || item.state;
    }

    isBlue(item) {
        return item.state === "read" || item.state === "processed";
    }

    canAnswer(item) {
        return Boolean(item.wa_message_id) && ["sent", "delivered", "read"].includes(item.state);
    }

    mapUrl(location) {
        const { latitude, longitude } = location;
        return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
    }

    // ------------------------------------------------------------------ read receipts

    acknowledge() {
        if (document.visibilityState !== "visible") {
            return; // grey ticks until someone looks at the page, as on a phone
        }
        for (const item of this.state.items) {
            if (
                item.direction === "out" &&
                item.wa_message_id &&
                ["sent", "delivered"].includes(item.state) &&
                !this.acknowledged.has(item.wa_message_id)
            ) {
                this.acknowledged.add(item.wa_message_id);
                this.sendReadStatus(item.wa_message_id);
            }
        }
    }

    async sendReadStatus(waMessageId) {
        try {
            const prepared = await this.orm.silent.call(MODEL, "prepare_status", [waMessageId, "read"]);
            await this.postWebhook(prepared);
        } catch (error) {
            this.showError(_t("Read receipt not sent: %s", errorText(error)));
        }
    }

    // ------------------------------------------------------------------ sending as the citizen

    /** POST the prepared bytes to the real webhook, signed as Meta signs them. */
    async postWebhook(prepared) {
        let response;
        try {
            response = await fetch(WEBHOOK_URL, {
                method: "POST",
                headers: { "Content-Type": "application/json", "X-Hub-Signature-256": prepared.signature },
                body: prepared.body,
            });
        } catch (error) {
            throw new WebhookError(_t("Network error: the webhook could not be reached (%s).", error.message));
        }
        if (!response.ok) {
            // The webhook answers in plain text; an HTML error page says nothing more than its status.
            const isText = (response.headers.get("Content-Type") || "").startsWith("text/plain");
            const text = isText ? (await response.text()).slice(0, 200) : response.statusText;
            throw new WebhookError(
                _t("The webhook answered HTTP %(status)s %(text)s", { status: response.status, text })
            );
        }
    }

    async sendAsCitizen(kind, data, preview) {
        this.state.sheet = null;
        this.state.items.push({
            key: `l${++this.localKey}`,
            local: true,
            direction: "in",
            state: "pending",
            time: new Date().toISOString(),
            body: "",
            interactive: {},
            ...preview,
        });
        const item = this.state.items[this.state.items.length - 1];
        try {
            const prepared = await this.orm.call(MODEL, "prepare_webhook", [
                this.state.citizen.phone,
                this.state.citizen.name,
                kind,
                data,
            ]);
            item.wa_message_id = prepared.wa_message_id;
            await this.postWebhook(prepared);
            if (item.state === "pending") {
                item.state = "posted";
            }
            this.poll();
        } catch (error) {
            item.state = "not_sent";
            this.showError(errorText(error));
        }
    }

    async sendText() {
        const body = this.state.text;
        if (!body.trim()) {
            return;
        }
        this.state.text = "";
        await this.sendAsCitizen("text", { body }, { type: "text", body });
    }

    onComposerKeydown(ev) {
        if (ev.key === "Enter" && !ev.shiftKey) {
            ev.preventDefault();
            this.sendText();
        }
    }

    tapButton(item, button) {
        this.sendAsCitizen(
            "button_reply",
            { message_id: item.id, reply_id: button.id },
            { type: "interactive", body: button.title, reply_to: item.wa_message_id }
        );
    }

    openList(item) {
        this.state.listItemKey = item.key;
        this.state.sheet = "list";
    }

    get openListItem() {
        return this.state.items.find((item) => item.key === this.state.listItemKey);
    }

    tapRow(item, row) {
        this.sendAsCitizen(
            "list_reply",
            { message_id: item.id, reply_id: row.id },
            { type: "interactive", body: row.title, reply_to: item.wa_message_id }
        );
    }

    openLocation() {
        this.state.sheet = "location";
    }

    closeSheet() {
        this.state.sheet = null;
    }

    sendPreset(preset) {
        const location = { latitude: preset.latitude, longitude: preset.longitude, name: preset.name };
        this.sendAsCitizen("location", location, { type: "location", location: { ...location, address: "" } });
    }

    sendTypedLocation() {
        const latitude = parseFloat(String(this.state.latitude).replace(",", "."));
        const longitude = parseFloat(String(this.state.longitude).replace(",", "."));
        if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) {
            this.showError(_t("Type a latitude and a longitude, e.g. 23.8388 and 78.7378."));
            return;
        }
        this.sendAsCitizen(
            "location",
            { latitude, longitude },
            { type: "location", location: { latitude, longitude, name: "", address: "" } }
        );
    }

    pickPhoto() {
        this.photoRef.el.click();
    }

    async onPhotoChosen(ev) {
        const file = ev.target.files[0];
        ev.target.value = "";
        if (!file) {
            return;
        }
        if (!PHOTO_TYPES.includes(file.type)) {
            this.showError(_t("Only JPEG and PNG photos can be sent as WhatsApp images."));
            return;
        }
        if (file.size > MAX_PHOTO_BYTES) {
            this.showError(_t("Photos sent on WhatsApp are at most 5 MB."));
            return;
        }
        const dataUrl = await new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(file);
        });
        const caption = this.state.text.trim();
        this.state.text = "";
        this.sendAsCitizen(
            "image",
            { base64: dataUrl.split(",")[1], mimetype: file.type, filename: file.name, caption },
            { type: "image", body: caption, media: { url: dataUrl, mime_type: file.type } }
        );
    }

    showError(text) {
        this.state.items.push({
            key: `l${++this.localKey}`,
            local: true,
            direction: "notice",
            body: text,
            time: new Date().toISOString(),
        });
    }
}

registry.category("actions").add("mp15_whatsapp_simulator", WhatsappSimulator);
