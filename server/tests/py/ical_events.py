"""Reads an iCalendar document on stdin with the independent `icalendar`
package and prints, as JSON, what it understood: the calendar's properties,
every VEVENT (UID, SUMMARY, DTSTAMP, DTSTART/DTEND decoded, whether it is an
all-day event) and any parse errors the package collected. The end-to-end test
(server/tests/e2e/ical.rs) compares this with what berth booked."""

import datetime
import json
import sys

import icalendar


def when(value):
    return {
        "all_day": not isinstance(value, datetime.datetime),
        "value": value.isoformat(),
    }


def main():
    calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    errors = [
        {"component": c.name, "errors": [list(e) for e in c.errors]}
        for c in calendar.walk()
        if c.errors
    ]
    events = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        events.append(
            {
                "uid": str(event.get("UID")),
                "summary": str(event.get("SUMMARY")),
                "dtstamp": event.decoded("DTSTAMP").isoformat(),
                "start": when(start),
                "end": when(end),
                "properties": sorted(event.keys()),
            }
        )
    print(
        json.dumps(
            {
                "version": str(calendar.get("VERSION")),
                "prodid": str(calendar.get("PRODID")),
                "calscale": str(calendar.get("CALSCALE")),
                "name": str(calendar.get("X-WR-CALNAME")),
                "events": events,
                "errors": errors,
                "icalendar": icalendar.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
