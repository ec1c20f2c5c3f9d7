/*
 * self_exclusion/recompute_self_exclusions.sql
 *	  The lifecycle: episodes and anomalies from a customer's events.
 */

/*
 * Rebuild the episodes and anomalies of the given customers from all their
 * self-exclusion events, in (occurred_at, lifecycle rank, content) order.
 * A param that is not of its type (fail-safe events are stored with bad
 * params) is ignored.  The rules:
 *   initiated   opens a pending episode; with one open, updates it
 *   activated   makes the open episode active; with none, opens one active
 *   updated     changes the open episode (an earlier expiry, a later start
 *               or self-exclusion -> cool-off is refused); with none, opens
 *               one active
 *   violation   counts on the open episode; with none, changes nothing
 *   lifted      closes the open episode; with none, changes nothing
 * Every oddity is recorded in self_exclusion_anomalies.  The episodes and
 * anomalies are collected in arrays and inserted by one statement each at
 * the end (a statement per row cost a quarter of a recompute of 2,000
 * customers).
 * Every query is by customer: index paths only and one generic plan, as
 * in the profile merge (build_profile_functions), so that the cost does
 * not depend on statistics.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.recompute_self_exclusions(customers event_catalog_internal.customer_ref[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	ev			record;
	ep			event_catalog.self_exclusions;
	is_open		boolean := false;
	n_episode	integer := 0;
	cur_tenant	integer;
	cur_id		text;
	v_start		timestamptz;
	v_expiry	timestamptz;
	v_type		text;
	v_when		timestamptz;
	v_kind		text;
	episodes	event_catalog.self_exclusions[] := '{}';
	anomalies	event_catalog.self_exclusion_anomalies[] := '{}';
BEGIN
	DELETE FROM event_catalog.self_exclusions s
	WHERE (s.tenant, s.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);
	DELETE FROM event_catalog.self_exclusion_anomalies a
	WHERE (a.tenant, a.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);

	FOR ev IN
		SELECT e.event_id, e.tenant, e.customer_id, e.event_key, e.occurred_at, e.problems,
			   CASE WHEN jsonb_typeof(e.payload -> 'context') = 'object'
					THEN e.payload -> 'context' ELSE '{}' END AS ctx
		FROM event_catalog.events e
		WHERE (e.tenant, e.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r)
		  AND e.has_effects
		  AND event_catalog_internal.lifecycle_rank(e.event_key) IS NOT NULL
		ORDER BY e.tenant, e.customer_id, e.occurred_at, event_catalog_internal.lifecycle_rank(e.event_key),
				 e.content_hash
	LOOP
		IF cur_id IS DISTINCT FROM ev.customer_id OR cur_tenant IS DISTINCT FROM ev.tenant THEN
			IF is_open THEN
				episodes := episodes || ep;
			END IF;
			cur_tenant := ev.tenant;
			cur_id := ev.customer_id;
			is_open := false;
			n_episode := 0;
		END IF;
		v_kind := substr(ev.event_key, length('ootb_self_exclusion_') + 1);

		-- a fail-safe event stored with bad params: say so, use the rest
		IF ev.problems @> '[{"severity": "error"}]' THEN
			anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, CASE WHEN is_open THEN ep.episode END,
					'invalid_params',
					'stored with bad params, which were ignored: ' ||
					(SELECT string_agg(p->>'path', ', ') FROM jsonb_array_elements(ev.problems) p
					 WHERE p->>'severity' = 'error'),
					ev.occurred_at)::event_catalog.self_exclusion_anomalies;
		END IF;

		v_start := event_catalog_internal.to_timestamp_or_null(ev.ctx ->> 'ootb_self_exclusion_start_date');
		v_expiry := event_catalog_internal.to_timestamp_or_null(ev.ctx ->> 'ootb_self_exclusion_expiry_date');
		v_type := CASE WHEN jsonb_typeof(ev.ctx -> 'ootb_exclusion_type') = 'number' THEN
					  CASE (ev.ctx ->> 'ootb_exclusion_type')::numeric
						  WHEN 0 THEN 'self_exclusion' WHEN 1 THEN 'cool_off' END END;

		IF v_kind IN ('violation_attempt', 'lifted') AND NOT is_open THEN
			anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, NULL,
					CASE v_kind WHEN 'lifted' THEN 'lifted_without_exclusion'
								ELSE 'violation_without_exclusion' END,
					CASE v_kind WHEN 'lifted' THEN 'no exclusion was open; nothing was lifted'
								ELSE 'no exclusion was open; nothing was counted' END,
					ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			CONTINUE;
		END IF;

		IF v_kind = 'violation_attempt' THEN
			ep.violation_count := ep.violation_count + 1;
			v_when := COALESCE(event_catalog_internal.to_timestamp_or_null(ev.ctx ->> 'ootb_violation_attempt_timestamp'),
							   ev.occurred_at);
			ep.last_violation_at := GREATEST(ep.last_violation_at, v_when);
			ep.last_event_id := ev.event_id;
			CONTINUE;
		END IF;

		IF v_kind = 'lifted' THEN
			ep.status := 'lifted';
			ep.lifted_at := ev.occurred_at;
			ep.last_event_id := ev.event_id;
			IF ep.expires_at IS NOT NULL AND ev.occurred_at < ep.expires_at THEN
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'lifted_before_expiry',
						format('lifted at %s, before its expiry at %s', event_catalog_internal.utc_text(ev.occurred_at),
							   event_catalog_internal.utc_text(ep.expires_at)),
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			END IF;
			episodes := episodes || ep;
			is_open := false;
			CONTINUE;
		END IF;

		-- initiated, activated, updated
		IF NOT is_open THEN
			n_episode := n_episode + 1;
			ep := ROW(ev.tenant, ev.customer_id, n_episode,
					  CASE v_kind WHEN 'initiated' THEN 'pending' ELSE 'active' END,
					  NULL, NULL, NULL, ev.occurred_at,
					  CASE WHEN v_kind <> 'initiated' THEN ev.occurred_at END,
					  NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, ev.event_id, ev.event_id);
			is_open := true;
			IF v_kind <> 'initiated' THEN
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, n_episode,
						v_kind || '_without_initiated',
						'no exclusion was open; an active one was opened so that protection starts now',
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			END IF;
		ELSE
			IF v_kind = 'initiated' THEN
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'initiated_while_open',
						format('episode %s is already %s; the request updates it', ep.episode, ep.status),
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			ELSIF v_kind = 'activated' AND ep.status = 'active' THEN
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'activated_while_active',
						format('episode %s is already active', ep.episode), ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			END IF;
			IF v_kind = 'activated' AND ep.status = 'pending' THEN
				ep.status := 'active';
				ep.activated_at := ev.occurred_at;
			END IF;
			IF v_kind = 'updated' THEN
				ep.update_count := ep.update_count + 1;
			END IF;
		END IF;

		-- details: never shorten, never postpone, never weaken
		IF v_expiry IS NOT NULL THEN
			IF ep.expires_at IS NULL OR v_expiry >= ep.expires_at THEN
				ep.expires_at := v_expiry;
			ELSE
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'shortening_refused',
						format('expiry %s is earlier than %s; the later expiry is kept',
							   event_catalog_internal.utc_text(v_expiry), event_catalog_internal.utc_text(ep.expires_at)),
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			END IF;
		END IF;
		IF v_start IS NOT NULL THEN
			IF ep.starts_at IS NULL OR v_start <= ep.starts_at THEN
				ep.starts_at := v_start;
			ELSE
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'postponement_refused',
						format('start %s is later than %s; the earlier start is kept',
							   event_catalog_internal.utc_text(v_start), event_catalog_internal.utc_text(ep.starts_at)),
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			END IF;
		END IF;
		IF v_type IS NOT NULL THEN
			IF ep.exclusion_type = 'self_exclusion' AND v_type = 'cool_off' THEN
				anomalies := anomalies || ROW(ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'weakening_refused',
						'a self-exclusion cannot become a cool-off; the self-exclusion is kept',
						ev.occurred_at)::event_catalog.self_exclusion_anomalies;
			ELSE
				ep.exclusion_type := v_type;
			END IF;
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_reason') = 'string' THEN
			ep.reason := ev.ctx ->> 'ootb_reason';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_self_exclusion_duration') = 'string' THEN
			ep.duration := ev.ctx ->> 'ootb_self_exclusion_duration';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_brand') = 'string' THEN
			ep.brand := ev.ctx ->> 'ootb_brand';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_license') = 'string' THEN
			ep.license := ev.ctx ->> 'ootb_license';
		END IF;
		ep.last_event_id := ev.event_id;
	END LOOP;

	IF is_open THEN
		episodes := episodes || ep;
	END IF;
	-- one statement each for all the customers' episodes and anomalies
	IF cardinality(episodes) > 0 THEN
		INSERT INTO event_catalog.self_exclusions SELECT * FROM unnest(episodes);
	END IF;
	IF cardinality(anomalies) > 0 THEN
		INSERT INTO event_catalog.self_exclusion_anomalies SELECT * FROM unnest(anomalies);
	END IF;

	-- the customers' exclusion periods, which contact checks read
	UPDATE event_catalog.customers c
	SET exclusion_periods = x.periods
	FROM event_catalog_internal.exclusion_periods_of(customers) x
	WHERE c.tenant = x.tenant AND c.customer_id = x.customer_id
	  AND c.exclusion_periods IS DISTINCT FROM x.periods;
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.recompute_self_exclusions(event_catalog_internal.customer_ref[]) FROM PUBLIC;
