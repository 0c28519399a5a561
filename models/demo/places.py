"""The demo's facts about places that no report carries (``OrgUnit.attrs``)."""
from __future__ import annotations

import random

from models.core.db import database
from models.core.schema import OrgUnit


def place_attrs(seed: int) -> dict[str, int]:
    """The facts about places that the other plans test and no report carries (OrgUnit.attrs):
    Tianjin's creation sites and joint sites (site_no 1–11) with their funds and station
    staff, Zhejiang's certified workers and graded service centres, Gansu's social-work rooms
    and pilot communities, Tianjin's hub demonstration points. Its own random stream, so the
    reports of a seed stay the same; one UPDATE per place."""
    rng = random.Random(seed * 7 + 1)
    counties = list(OrgUnit.select().where(OrgUnit.level == "county").order_by(OrgUnit.code))
    townships = list(OrgUnit.select().where(OrgUnit.level == "township").order_by(OrgUnit.code))
    communities = list(OrgUnit.select().where(OrgUnit.level == "community").order_by(OrgUnit.code))
    attrs: dict[int, dict] = {u.id: dict(u.attrs or {}) for u in counties + townships + communities}
    streets = [t for t in townships if not t.is_rural]
    sites = sorted(rng.sample(streets, min(12, len(streets))) +
                   rng.sample([t for t in townships if t.is_rural], 2), key=lambda t: t.code)
    joint = rng.sample(sites, min(8, len(sites)))
    for t in townships:
        a = attrs[t.id]
        a["csc_registered"] = rng.random() < 0.7
        a["csc_rated"] = a["csc_registered"] and rng.random() < 0.75
        a["development_foundations"] = 1 if rng.random() < 0.3 else 0
        a["incubator"] = rng.random() < 0.6
        if t in sites:
            a.update(demo_site=True, demo_completed=rng.random() < 0.85,
                     community_fund=rng.random() < 0.8,
                     station_social_workers=rng.choice((1, 2, 2, 3)))
        if t in joint:
            a["site_no"] = joint.index(t) + 1
        if t in sites:  # evaluated as the district and the city would (no new random draws)
            a.update(midterm_evaluation=True, final_evaluation=a["demo_completed"])
            if t in joint:
                a.update(evaluation_passed=a["demo_completed"], closed=a["demo_completed"])
    by_township: dict[int, list[OrgUnit]] = {}
    for c in communities:
        by_township.setdefault(c.parent_id, []).append(c)
        a = attrs[c.id]
        workers = rng.randrange(3, 9)
        a.update(community_workers=workers,
                 certified_community_workers=round(workers * rng.uniform(0.3, 0.9)),
                 certified_social_workers=round((c.population or 0) * rng.uniform(18, 45) / 10000),
                 star_complex=rng.random() < 0.3, social_work_room=rng.random() < 0.8,
                 professional_social_workers=rng.choice((0, 1, 1, 2)),
                 volunteer_liaison=rng.random() < 0.7)
        if not c.is_rural:
            a["direct_election"] = rng.random() < 0.85
    for t in sites:
        members = by_township.get(t.id, [])
        for c in rng.sample(members, min(len(members), rng.choice((1, 2, 2, 3)))):
            attrs[c.id]["demo_covered"] = True
            attrs[c.id]["committee_members"] = 2  # “两委” members taking part
    for county in rng.sample(counties, min(5, len(counties))):
        attrs[county.id]["hub_demo_point"] = 1
        attrs[county.id]["sanshe_pilot_area"] = True  # a pilot county of the Gansu plan
        pilots = [c for c in communities if c.path.startswith(county.path)]
        for c in rng.sample(pilots, min(len(pilots), rng.randrange(3, 6))):
            attrs[c.id]["sanshe_pilot"] = True
    with database.atomic():
        for unit_id, a in attrs.items():
            OrgUnit.update(attrs=a).where(OrgUnit.id == unit_id).execute()
    return {"creation_sites": len(sites), "joint_sites": len(joint)}
