-- A rush on one slot (issue 25 item 3, docs/decisions/0181): `berth_book`
-- of 0031 again, with one change. Its capacity check swept the edges of every
-- active reservation overlapping the interval (a sort and a window over twice
-- their number) while holding the unit's row lock, so a slot selling thousands
-- of seats got slower with every seat sold. It now first sums the quantities
-- that overlap (one aggregate over the same index range, no sort): that sum
-- bounds the peak load from above, so when it leaves room the booking fits.
-- Only when it does not (near capacity, or where overlapping stays do not all
-- overlap each other) does the function sweep as before, and refuse exactly
-- as before. Everything else is unchanged; see 0031 for what the function does.
CREATE OR REPLACE FUNCTION berth_book(
    p_tenant uuid,
    p_unit uuid,
    p_client uuid,
    p_state text,
    p_start timestamptz,
    p_end timestamptz,
    p_occupied_start timestamptz,
    p_occupied_end timestamptz,
    p_check_in date,
    p_check_out date,
    p_quantity bigint,
    p_guests bigint,
    p_price jsonb,
    p_price_total_minor bigint,
    p_currency text,
    p_channel text,
    p_idempotency_key text,
    p_notes text,
    p_hold_expires_at timestamptz,
    p_version bigint,
    p_created_at timestamptz,
    p_updated_at timestamptz,
    p_id uuid,
    p_refund jsonb,
    p_policy_override jsonb,
    p_now timestamptz,
    p_audit_id uuid,
    p_audit_actor text,
    p_audit_entity_type text,
    p_audit_action text,
    p_audit_at timestamptz,
    p_audit_request_id text,
    p_audit_metadata jsonb,
    p_event_id uuid,
    p_event_kind text,
    p_event_payload jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_inventory bigint;
    v_archived boolean;
    v_peak bigint;
    v_bound bigint;
BEGIN
    PERFORM set_config('berth.tenant_id', p_tenant::text, true);
    IF p_idempotency_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM reservations
         WHERE tenant_id = p_tenant AND idempotency_key = p_idempotency_key
    ) THEN
        RETURN 'statements';
    END IF;
    SELECT inventory, archived INTO v_inventory, v_archived FROM units
     WHERE tenant_id = p_tenant AND id = p_unit FOR NO KEY UPDATE;
    IF NOT FOUND OR v_archived THEN
        RETURN 'statements';
    END IF;
    IF p_idempotency_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM reservations
         WHERE tenant_id = p_tenant AND idempotency_key = p_idempotency_key
    ) THEN
        RETURN 'statements';
    END IF;
    IF EXISTS (
        SELECT 1 FROM locks
         WHERE tenant_id = p_tenant AND unit_id = p_unit AND expires_at > p_now
    ) THEN
        RETURN 'statements';
    END IF;
    IF p_client IS NOT NULL THEN
        PERFORM 1 FROM clients
         WHERE tenant_id = p_tenant AND id = p_client AND NOT blocked AND NOT archived
         FOR SHARE;
        IF NOT FOUND THEN
            RETURN 'statements';
        END IF;
    END IF;
    -- The sum of every quantity overlapping the interval bounds the peak from
    -- above: when even the sum leaves room, the booking fits and the sweep is
    -- not needed. It is needed only near capacity, where the two can differ.
    SELECT coalesce(sum(q), 0) INTO v_bound FROM (
        SELECT quantity AS q FROM reservations
         WHERE tenant_id = p_tenant AND unit_id = p_unit
           AND state IN ('held', 'confirmed', 'checked_in')
           AND occupied_start < p_occupied_end AND occupied_end > p_occupied_start
        UNION ALL
        SELECT v_inventory FROM calendar_blocks
         WHERE tenant_id = p_tenant AND unit_id = p_unit
           AND start_at < p_occupied_end AND end_at > p_occupied_start
    ) AS taken;
    IF v_bound + p_quantity > v_inventory THEN
        WITH taken AS (
            SELECT greatest(occupied_start, p_occupied_start) AS s,
                   least(occupied_end, p_occupied_end) AS e, quantity AS q
              FROM reservations
             WHERE tenant_id = p_tenant AND unit_id = p_unit
               AND state IN ('held', 'confirmed', 'checked_in')
               AND occupied_start < p_occupied_end AND occupied_end > p_occupied_start
            UNION ALL
            SELECT greatest(start_at, p_occupied_start), least(end_at, p_occupied_end), v_inventory
              FROM calendar_blocks
             WHERE tenant_id = p_tenant AND unit_id = p_unit
               AND start_at < p_occupied_end AND end_at > p_occupied_start
        ), edges AS (
            SELECT s AS at, q AS delta FROM taken
            UNION ALL
            SELECT e, -q FROM taken
        ), loads AS (
            -- At equal instants ends (negative) come before starts: intervals that
            -- touch do not overlap.
            SELECT sum(delta) OVER (ORDER BY at, delta ROWS UNBOUNDED PRECEDING) AS load
              FROM edges
        )
        SELECT coalesce(max(load), 0) INTO v_peak FROM loads;
        IF v_peak + p_quantity > v_inventory THEN
            RETURN 'unavailable';
        END IF;
    END IF;
    INSERT INTO reservations (unit_id, client_id, state, start_at, end_at, occupied_start,
        occupied_end, check_in, check_out, quantity, guests, price, price_total_minor,
        currency, channel, idempotency_key, notes, hold_expires_at, version, created_at,
        updated_at, tenant_id, id, refund, policy_override, exclusive)
    VALUES (p_unit, p_client, p_state, p_start, p_end, p_occupied_start, p_occupied_end,
        p_check_in, p_check_out, p_quantity, p_guests, p_price, p_price_total_minor,
        p_currency, p_channel, p_idempotency_key, p_notes, p_hold_expires_at, p_version,
        p_created_at, p_updated_at, p_tenant, p_id, p_refund, p_policy_override,
        v_inventory = 1);
    INSERT INTO audit_log (id, tenant_id, actor, entity_type, entity_id, action, at,
        request_id, metadata)
    VALUES (p_audit_id, p_tenant, p_audit_actor, p_audit_entity_type, p_id, p_audit_action,
        p_audit_at, p_audit_request_id, p_audit_metadata);
    INSERT INTO events (id, tenant_id, kind, entity_id, payload, at)
    VALUES (p_event_id, p_tenant, p_event_kind, p_id, p_event_payload, p_audit_at);
    RETURN 'created';
END
$$;
