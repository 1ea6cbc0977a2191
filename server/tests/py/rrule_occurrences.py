"""Expands recurrence rules with python-dateutil's `rrule`, an independent RFC
5545 implementation: reads a JSON list of cases on stdin, each
{"dtstart": "YYYY-MM-DDTHH:MM:SS", "tz": "Europe/Oslo", "rule": "FREQ=...",
"until": "YYYY-MM-DDTHH:MM:SS" (UTC)}, and prints, as JSON, each case's
occurrences as UTC instants, up to "until". The end-to-end test
(server/tests/e2e/recurrence.rs) compares them with berth's expansion."""

import datetime
import json
import sys
import zoneinfo

from dateutil import rrule


def occurrences(case):
    zone = zoneinfo.ZoneInfo(case["tz"])
    start = datetime.datetime.fromisoformat(case["dtstart"]).replace(tzinfo=zone)
    until = datetime.datetime.fromisoformat(case["until"]).replace(tzinfo=datetime.timezone.utc)
    rule = rrule.rrulestr(case["rule"], dtstart=start)
    out = []
    for t in rule:
        # dateutil keeps the wall clock and the zone; the instant follows it.
        instant = t.astimezone(datetime.timezone.utc)
        if instant >= until:
            break
        out.append(instant.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return out


def main():
    cases = json.load(sys.stdin)
    json.dump([occurrences(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
