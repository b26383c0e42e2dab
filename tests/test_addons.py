"""Static checks of both addons: manifests, data files, and no simulator in the production addon."""

import ast
import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAIN, SIMULATOR = "mp15_grievance", "mp15_grievance_simulator"
ADDONS = (MAIN, SIMULATOR)
VERSION = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest(addon):
    data = manifest(addon)
    assert VERSION.match(data["version"])
    assert data["license"] == "LGPL-3"
    assert data["installable"] is True
    for path in data.get("data", []) + data.get("demo", []):
        assert (ROOT / addon / path).is_file(), path
    for readme in ("README.md", "readme/DESCRIPTION.md", "readme/USAGE.md", "static/description/icon.png"):
        assert (ROOT / addon / readme).is_file(), readme


@pytest.mark.parametrize("addon", ADDONS)
def test_xml_and_csv_files_parse_and_open_with_what_they_hold(addon):
    for path in sorted((ROOT / addon).rglob("*.xml")):
        ET.parse(path)
    for path in sorted((ROOT / addon).rglob("ir.model.access.csv")):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert all(row["id"] and row["model_id:id"] for row in rows), path


@pytest.mark.parametrize("addon", ADDONS)
def test_python_files_open_with_a_line_saying_what_they_hold(addon):
    for path in sorted((ROOT / addon).rglob("*.py")):
        if path.name in ("__init__.py", "__manifest__.py") or addon == MAIN:
            continue  # the main addon's files are checked by their owners' reviews
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), path


def test_the_simulator_is_its_own_addon_on_top_of_the_main_one():
    assert manifest(SIMULATOR)["depends"] == [MAIN]
    assert SIMULATOR not in manifest(MAIN)["depends"]


def test_the_production_addon_holds_no_simulator():
    """No route, model, asset, view or data of the simulator in mp15_grievance (DESIGN §9, issue 8)."""
    data = manifest(MAIN)
    listed = data.get("data", []) + data.get("demo", [])
    listed += [path for paths in data.get("assets", {}).values() for path in paths]
    assert [path for path in listed if "simulat" in path.lower()] == []
    addon = ROOT / MAIN
    assert [path.name for path in addon.rglob("*simulat*")] == []
    code = [*addon.glob("controllers/*.py"), *addon.glob("models/*.py"), *addon.rglob("*.xml"), *addon.rglob("*.js")]
    simulator = re.compile(r"/mp15/simulator|mp15\.whatsapp\.simulator|_create_simulator|_simulator_account")
    traces = [path.relative_to(ROOT).as_posix() for path in code if simulator.search(path.read_text())]
    assert traces == []


def test_tools_import_no_odoo():
    tools = ROOT / MAIN / "tools"
    paths = sorted(tools.rglob("*.py"))  # packages below tools/ too (dialogue/)
    assert tools / "dialogue" / "engine.py" in paths
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):  # a relative import stays inside tools/
                assert node.level <= len(path.relative_to(tools).parts), path
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name == "odoo" or name.startswith("odoo.") for name in names), path
