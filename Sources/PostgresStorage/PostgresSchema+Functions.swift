// The functions the migrations create in the server: SQL that runs there in one round trip.

extension PostgresSchema {
    /// The retention sweep of closed conversations (PostgresStore.deleteClosedConversations) in the server, one
    /// round trip a batch: conversation by conversation, oldest closed first, its messages (not replies still in the
    /// outbox; the status history goes with them), then the conversation itself once it has none left, at most
    /// `row_limit` rows in all, rows another transaction holds skipped. Run from the gateway, the same loop took two
    /// round trips a conversation: about 1,100 rows/s beside saturating ingest, a million rows in a quarter of an hour.
    static let closedConversationSweep = """
        CREATE FUNCTION switchboard_sweep_closed_conversations(
            cutoff BIGINT, row_limit BIGINT, OUT deleted_conversations BIGINT, OUT deleted_messages BIGINT)
        LANGUAGE plpgsql AS $sweep$
        DECLARE
            v_id TEXT;
            v_round BIGINT;
            v_seen BIGINT;
            v_before BIGINT;
            v_count BIGINT;
        BEGIN
            deleted_conversations := 0;
            deleted_messages := 0;
            WHILE deleted_conversations + deleted_messages < row_limit LOOP
                v_round := LEAST(row_limit, 64);
                v_seen := 0;
                v_before := deleted_conversations + deleted_messages;
                FOR v_id IN
                    SELECT c.id FROM conversation c
                    WHERE c.status = 'closed' AND c.closed_at < cutoff
                      AND (NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                        OR EXISTS (
                            SELECT 1 FROM message m
                            WHERE m.conversation_id = c.id
                              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)))
                    ORDER BY c.closed_at LIMIT v_round FOR UPDATE OF c SKIP LOCKED
                LOOP
                    v_seen := v_seen + 1;
                    EXIT WHEN deleted_conversations + deleted_messages >= row_limit;
                    DELETE FROM message WHERE id IN (
                        SELECT m.id FROM message m
                        WHERE m.conversation_id = v_id
                          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                        LIMIT row_limit - deleted_conversations - deleted_messages FOR UPDATE OF m SKIP LOCKED);
                    GET DIAGNOSTICS v_count = ROW_COUNT;
                    deleted_messages := deleted_messages + v_count;
                    EXIT WHEN deleted_conversations + deleted_messages >= row_limit;
                    DELETE FROM conversation c
                    WHERE c.id = v_id AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id);
                    GET DIAGNOSTICS v_count = ROW_COUNT;
                    deleted_conversations := deleted_conversations + v_count;
                END LOOP;
                EXIT WHEN v_seen < v_round OR deleted_conversations + deleted_messages = v_before;
            END LOOP;
        END
        $sweep$
        """

    /// A core event delivered (PostgresStore.completeCoreEvent) in the server, one round trip and one commit: the
    /// steps the gateway ran as five statements in a transaction (seven round trips an event, two events a new
    /// customer's message). Each statement of a volatile PL/pgSQL function reads a fresh snapshot, as separate
    /// statements did: an event queued while the queue row was locked is seen once the lock is had. With
    /// `lease_end` > 0 the conversation's next event is claimed until then and returned; otherwise it is due at its
    /// creation and nothing is returned (nor when `event_id` is unknown).
    static let coreEventCompletion = """
        CREATE FUNCTION switchboard_complete_core_event(event_id TEXT, lease_end BIGINT)
        RETURNS SETOF core_event
        LANGUAGE plpgsql AS $complete$
        DECLARE
            v_conversation TEXT;
            v_next core_event%ROWTYPE;
        BEGIN
            SELECT conversation_id INTO v_conversation FROM core_event WHERE id = event_id;
            IF NOT FOUND THEN
                RETURN;
            END IF;
            -- The queue row first: an event being queued for the conversation meanwhile (which locks it too) is
            -- then either seen below or queued after the row is gone, with a row of its own.
            PERFORM 1 FROM core_queue WHERE conversation_id = v_conversation FOR UPDATE;
            DELETE FROM core_event WHERE id = event_id;
            SELECT * INTO v_next FROM core_event WHERE conversation_id = v_conversation ORDER BY seq LIMIT 1;
            IF NOT FOUND THEN
                DELETE FROM core_queue WHERE conversation_id = v_conversation;
                RETURN;
            END IF;
            UPDATE core_queue
            SET next_attempt_at = CASE WHEN lease_end > 0 THEN lease_end ELSE v_next.created_at END,
                claimed = lease_end > 0
            WHERE conversation_id = v_conversation;
            IF lease_end > 0 THEN
                RETURN NEXT v_next;
            END IF;
        END
        $complete$
        """
}
