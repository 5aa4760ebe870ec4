"""Areas by DOPA code: a province has 2 digits, a district 4, a subdistrict 6, and each code
starts with its parent's. Lookups to filter any record by the area it lies in."""

from django.db.models import Q

from geo.models import District, Province, Subdistrict

LEVELS = {2: "province", 4: "district", 6: "subdistrict"}
MODELS = {"province": Province, "district": District, "subdistrict": Subdistrict}
CHILD = {"province": "district", "district": "subdistrict", "subdistrict": None}

# From a council to its area at each level.
COUNCIL = {"province": "district__province", "district": "district", "subdistrict": "subdistrict"}


def level_of(code: str) -> str | None:
    return LEVELS.get(len(code)) if code.isdigit() else None


def council_lookup(level: str, prefix: str = "") -> str:
    """`prefix` leads from the record to its council, e.g. "council__" for a project."""
    return prefix + COUNCIL[level]


def in_area(level: str, code: str, prefix: str = "") -> Q:
    """Records whose council lies in the area."""
    return Q(**{council_lookup(level, prefix): code})


def meeting_in_area(level: str, code: str) -> Q:
    """A meeting held in the area, or about it: one of its invited councils lies there."""
    from meetings.models import Meeting

    # The invitations of the area's councils as a list of meeting ids, not a join of every
    # meeting with its invited councils: a province forum invites hundreds, and the join
    # read all 30,000 invitations of the country for every area profile.
    invited = Meeting.invited_councils.through.objects.filter(
        **{f"council__{COUNCIL[level]}": code}
    ).values("meeting")
    return Q(**{level: code}) | Q(pk__in=invited)


def resolution_in_area(level: str, code: str) -> Q:
    """A resolution of a meeting held in or about the area, or owned by one of its councils."""
    from councils.models import Council
    from meetings.models import Meeting

    meetings = Meeting.objects.filter(meeting_in_area(level, code)).values("pk")
    # Both as lists of ids: a join to every owner's council and district was made for all
    # the country's open resolutions before the area was tested.
    councils = Council.objects.filter(**{COUNCIL[level]: code}).values("pk")
    return Q(meeting__in=meetings) | Q(owner_council__in=councils)
