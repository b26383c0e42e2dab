/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { PortalHomeCounters } from "@portal/js/portal";

// The grievances card stays on the portal home at 0: it is where a citizen files the first one.
PortalHomeCounters.include({
    _getCountersAlwaysDisplayed() {
        return this._super(...arguments).concat(["grievance_count"]);
    },
});

const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

/**
 * The filing form: "Use my location" fills the hidden latitude/longitude when the citizen allows it,
 * and chosen photos are previewed and checked (count, type, size) before the server checks them again.
 * Every text shown comes from the template, so it is translated with it.
 */
publicWidget.registry.Mp15GrievanceForm = publicWidget.Widget.extend({
    selector: ".o_mp15_grievance_form",
    events: {
        "click .o_mp15_use_location": "_onUseLocation",
        "click .o_mp15_clear_location": "_onClearLocation",
        submit: "_onSubmit",
    },

    start() {
        this.latitudeInput = this.el.querySelector("input[name=latitude]");
        this.longitudeInput = this.el.querySelector("input[name=longitude]");
        this.photoInput = this.el.querySelector("input[name=photos]");
        this.maxPhotos = parseInt(this.el.dataset.maxPhotos || "3");
        this.maxPhotoBytes = parseInt(this.el.dataset.maxPhotoMb || "5") * 1024 * 1024;
        this.previewUrls = [];
        // Bound on the input itself: a script setting its files sends a change event that does not bubble.
        this._onPhotosChange = this._onPhotosChange.bind(this);
        this.photoInput.addEventListener("change", this._onPhotosChange);
        // Coming back to the page (browser history) must not leave the form unusable.
        this._onPageShow = () => this.el.querySelector(".o_mp15_submit").removeAttribute("disabled");
        window.addEventListener("pageshow", this._onPageShow);
        if (this.latitudeInput.value && this.longitudeInput.value) {
            this._showLocation(this.latitudeInput.value, this.longitudeInput.value);
        }
        return this._super(...arguments);
    },

    destroy() {
        this.photoInput?.removeEventListener("change", this._onPhotosChange);
        window.removeEventListener("pageshow", this._onPageShow);
        this._revokePreviews();
        this._super(...arguments);
    },

    // ------------------------------------------------------------------ location

    _setLocationStatus(status) {
        for (const el of this.el.querySelectorAll(".o_mp15_location_status [data-status]")) {
            el.classList.toggle("d-none", el.dataset.status !== status);
        }
    },

    _showLocation(latitude, longitude) {
        this.el.querySelector(".o_mp15_coordinates").textContent =
            `${Number(latitude).toFixed(5)}, ${Number(longitude).toFixed(5)}`;
        this.el.querySelector(".o_mp15_clear_location").classList.remove("d-none");
        this._setLocationStatus("found");
    },

    _onUseLocation(ev) {
        ev.preventDefault();
        if (!navigator.geolocation) {
            this._setLocationStatus("unsupported");
            return;
        }
        this._setLocationStatus("locating");
        navigator.geolocation.getCurrentPosition(
            (position) => {
                const { latitude, longitude } = position.coords;
                this.latitudeInput.value = latitude.toFixed(7);
                this.longitudeInput.value = longitude.toFixed(7);
                this._showLocation(latitude, longitude);
            },
            (error) => {
                this._clearCoordinates();
                this._setLocationStatus(error.code === error.PERMISSION_DENIED ? "denied" : "unavailable");
            },
            { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
        );
    },

    _clearCoordinates() {
        this.latitudeInput.value = "";
        this.longitudeInput.value = "";
        this.el.querySelector(".o_mp15_clear_location").classList.add("d-none");
    },

    _onClearLocation(ev) {
        ev.preventDefault();
        this._clearCoordinates();
        this._setLocationStatus(null);
    },

    // -------------------------------------------------------------------- photos

    _revokePreviews() {
        this.previewUrls.forEach((url) => URL.revokeObjectURL(url));
        this.previewUrls = [];
    },

    /** The problems of the chosen photos: a subset of "count", "type", "size". */
    _photoProblems(files) {
        const problems = new Set();
        if (files.length > this.maxPhotos) {
            problems.add("count");
        }
        for (const file of files) {
            if (!PHOTO_TYPES.includes(file.type)) {
                problems.add("type");
            } else if (file.size > this.maxPhotoBytes) {
                problems.add("size");
            }
        }
        return problems;
    },

    _onPhotosChange() {
        const files = [...this.photoInput.files];
        const problems = this._photoProblems(files);
        for (const el of this.el.querySelectorAll(".o_mp15_photo_check")) {
            el.classList.toggle("d-none", !problems.has(el.dataset.check));
        }
        this.photoInput.classList.toggle("is-invalid", problems.size > 0);
        const firstProblem = this.el.querySelector(".o_mp15_photo_check:not(.d-none)");
        this.photoInput.setCustomValidity(firstProblem ? firstProblem.textContent.trim() : "");
        const previews = this.el.querySelector(".o_mp15_photo_previews");
        this._revokePreviews();
        previews.replaceChildren();
        for (const file of files.filter((file) => PHOTO_TYPES.includes(file.type))) {
            const url = URL.createObjectURL(file);
            this.previewUrls.push(url);
            const col = document.createElement("div");
            col.className = "col-4 col-md-3";
            const img = document.createElement("img");
            img.src = url;
            img.alt = file.name;
            img.className = "img-fluid rounded border o_mp15_photo_preview";
            col.appendChild(img);
            previews.appendChild(col);
        }
    },

    _onSubmit() {
        // One grievance per tap, even on a slow connection.
        const button = this.el.querySelector(".o_mp15_submit");
        if (this.el.checkValidity()) {
            setTimeout(() => button.setAttribute("disabled", "disabled"));
        }
    },
});
