/** @odoo-module **/
// The councillor's board (My Wards): their wards' figures of the month above the kanban.

import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { kanbanView } from "@web/views/kanban/kanban_view";

export class WardFigures extends Component {
    static template = "mp15_grievance.WardFigures";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ month: "", wards: [] });
        onWillStart(async () => {
            // Counted on the server with the councillor's own rights: only what they may read.
            Object.assign(this.state, await this.orm.call("mp15.grievance", "retrieve_ward_figures", []));
        });
    }

    fileForConstituent() {
        this.action.doAction("mp15_grievance.mp15_grievance_constituent_action");
    }
}

export class WardBoardKanbanRenderer extends KanbanRenderer {
    static template = "mp15_grievance.WardBoardKanbanRenderer";
    static components = { ...KanbanRenderer.components, WardFigures };
}

export const wardBoardKanbanView = { ...kanbanView, Renderer: WardBoardKanbanRenderer };

registry.category("views").add("mp15_ward_board_kanban", wardBoardKanbanView);
