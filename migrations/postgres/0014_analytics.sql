-- Analytics reads every reservation (any state) whose booked period overlaps a
-- range: `end_at > from AND start_at < to`. Keyed by the end, so a range scan
-- starts at `from` and reads only what ends later — history before the range is
-- never touched, and bookings after it are bounded by the booking horizon. The
-- projected columns are included, so the read can be an index-only scan
-- (measured: BENCHMARKS.md, "Analytics").
CREATE INDEX reservations_by_end ON reservations (tenant_id, end_at, start_at)
    INCLUDE (unit_id, state, quantity, check_in, check_out, price_total_minor, currency,
             created_at, id);
