/** @odoo-module **/
// The portal's grievance page: the grievance's own location on a small Leaflet map.

import publicWidget from "@web/legacy/js/public/public_widget";
import { loadCSS, loadJS } from "@web/core/assets";

// Leaflet as the OCA addon web_leaflet_lib bundles it, served by Odoo, loaded only on this page.
const LEAFLET_JS = "/web_leaflet_lib/static/lib/leaflet/leaflet.js";
const LEAFLET_CSS = "/web_leaflet_lib/static/lib/leaflet/leaflet.css";

/**
 * One marker, coloured by the grievance's SLA state as on the staff map; the tile server is the
 * system parameter leaflet.tile_url, given by the template in data-tile-url.
 */
publicWidget.registry.Mp15GrievanceMap = publicWidget.Widget.extend({
    selector: ".o_mp15_grievance_map",

    async start() {
        await this._super(...arguments);
        const { lat, lng, tileUrl, copyright, colour } = this.el.dataset;
        if (!tileUrl) {
            return;
        }
        await Promise.all([loadJS(LEAFLET_JS), loadCSS(LEAFLET_CSS)]);
        const L = window.L;
        const position = L.latLng(parseFloat(lat), parseFloat(lng));
        this.map = L.map(this.el, { scrollWheelZoom: false }).setView(position, 16);
        L.tileLayer(tileUrl, { maxZoom: 19, attribution: copyright || "" }).addTo(this.map);
        L.circleMarker(position, {
            radius: 9,
            color: "#ffffff",
            weight: 2,
            fillColor: colour || "#6c757d",
            fillOpacity: 1,
        }).addTo(this.map);
    },

    destroy() {
        if (this.map) {
            this.map.remove();
        }
        this._super(...arguments);
    },
});
