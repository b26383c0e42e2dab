"""LazyPlaceholders: a bot text's placeholder values are worked out only when the text uses them."""

from collections import ChainMap

from mp15_grievance.tools.placeholders import LazyPlaceholders


def counting(reads, name, value):
    def make():
        reads.append(name)
        return value

    return make


def test_a_value_is_worked_out_on_first_read_only_and_remembered():
    reads = []
    params = LazyPlaceholders(
        {"ref": counting(reads, "ref", "MP15-2026-000001"), "last_note": counting(reads, "last_note", "x")}
    )
    assert "{ref} registered".format_map(params) == "MP15-2026-000001 registered"
    assert params["ref"] == "MP15-2026-000001"
    assert reads == ["ref"], "last_note (the chatter read) was never needed"


def test_merged_with_chainmap_they_stay_unread_and_the_first_mapping_wins():
    reads = []
    params = ChainMap(
        {"ref": "given"},
        LazyPlaceholders({"ref": counting(reads, "ref", "made"), "stage": counting(reads, "stage", "New")}),
    )
    assert params["ref"] == "given"
    assert sorted(params) == ["ref", "stage"]
    assert reads == []


def test_a_value_set_afterwards_replaces_the_one_that_would_be_made():
    reads = []
    params = LazyPlaceholders({"link": counting(reads, "link", "https://portal/token")})
    params["link"] = "https://backoffice/record"
    assert params["link"] == "https://backoffice/record"
    assert reads == []
    assert dict(params) == {"link": "https://backoffice/record"}
