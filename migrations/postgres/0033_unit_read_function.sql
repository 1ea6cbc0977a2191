-- A booking's read in one round trip (issue 25 item 1, docs/decisions/0183).
-- Before a booking the engine reads the unit and its tenant for the policy.
-- Row-level security wants the tenant named first, so that read was a
-- transaction of its own: `BEGIN; SELECT set_config(…)` and the `SELECT`,
-- two round trips, then a ROLLBACK when the connection went back to the
-- pool. `berth_unit` names the tenant and returns the unit's row in one
-- call; the store joins the tenant (a table without row-level security) to
-- it in the same statement. The setting is local to the statement's own
-- transaction, so nothing is left on the connection. The function returns
-- the `units` row type, which follows the table as later migrations change it.
CREATE FUNCTION berth_unit(p_tenant uuid, p_unit uuid)
RETURNS SETOF units LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('berth.tenant_id', p_tenant::text, true);
    RETURN QUERY SELECT * FROM units WHERE tenant_id = p_tenant AND id = p_unit;
END
$$;
