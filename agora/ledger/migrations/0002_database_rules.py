"""The ledger's rules in PostgreSQL itself, so that no code path (nor raw SQL) can break them.

1. I1: a transaction balances per currency and has at least two entries — a DEFERRABLE INITIALLY
   DEFERRED constraint trigger on both tables, checked at commit.
2. I5: entries, transactions and hold shares are never updated or deleted; accounts never deleted.
3. I3 + I4 + hot rows: each entry changes its account's balance. An entry moving the account towards
   its bound (a debit of a floor account, a credit of a receivable) locks the account row, folds the
   account's pending deltas into `balance` and applies itself there, so the balance CHECK
   (ledger_account_balance_sign, migration 0001) sees the true figure. Any other entry (a credit of a
   wallet, the commission, a clearing account) only appends a `ledger_balancedelta` row: no lock on
   the account row, so many payers can pay one creator at once. Deleting deltas folds them.
4. The cached balance is changed only by these triggers; owner, kind, gateway and currency never.
"""

from django.db import migrations

# Kinds with a floor of zero and with a ceiling of zero; must match agora.ledger.models
# (FLOOR_KINDS, CEILING_KINDS) — test_database_rules checks every kind against these rules.
FLOOR_KINDS = "('available', 'held', 'commission', 'payouts_in_transit')"
CEILING_KINDS = "('receivable')"

FORWARD = f"""
CREATE FUNCTION ledger_transaction_assert_balanced(p_transaction_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_entries bigint;
    v_balanced boolean;
BEGIN
    SELECT coalesce(sum(per_currency.entries), 0), coalesce(bool_and(per_currency.total = 0), true)
      INTO v_entries, v_balanced
      FROM (SELECT count(*) AS entries, sum(e.amount) AS total
              FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
             WHERE e.transaction_id = p_transaction_id
             GROUP BY a.currency) AS per_currency;
    IF v_entries < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has % entries; a transaction needs at least two',
            p_transaction_id, v_entries
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
    END IF;
    IF NOT v_balanced THEN
        RAISE EXCEPTION 'ledger transaction % does not sum to zero in every currency', p_transaction_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
    END IF;
END
$$;

CREATE FUNCTION ledger_entry_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_transaction_assert_balanced(NEW.transaction_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_transaction_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_transaction_assert_balanced(NEW.id);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_balanced();

CREATE CONSTRAINT TRIGGER ledger_transaction_balanced
    AFTER INSERT ON ledger_transaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_check_balanced();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: ledger records are never changed; book a reversing transaction',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_immutable';
END
$$;

CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transaction_immutable BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holdshare_immutable BEFORE UPDATE OR DELETE ON ledger_holdshare
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_balancedelta_immutable BEFORE UPDATE ON ledger_balancedelta
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE FUNCTION ledger_account_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.gateway <> OLD.gateway
       OR NEW.currency <> OLD.currency OR NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
        RAISE EXCEPTION 'ledger account % cannot change its owner, kind, gateway or currency', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_account_identity';
    END IF;
    -- Depth 1 is a statement from outside; the ledger's own triggers run at depth 2 and more.
    IF NEW.balance <> OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'the balance of ledger account % is kept by its entries; book a transaction', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_account_balance_by_entries';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_account_guard BEFORE UPDATE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_account_guard();
CREATE TRIGGER ledger_account_kept BEFORE DELETE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- Lock the accounts a transaction moves towards their bound, in id order, then read their whole
-- balances: the second statement gets a fresh snapshot, taken after the locks were granted.
CREATE FUNCTION ledger_accounts_lock(p_ids bigint[]) RETURNS TABLE (account_id bigint, balance bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM ledger_account WHERE id = ANY(p_ids) ORDER BY id FOR NO KEY UPDATE;
    RETURN QUERY
        SELECT a.id, (a.balance + coalesce((SELECT sum(d.amount) FROM ledger_balancedelta d
                                              WHERE d.account_id = a.id), 0))::bigint
          FROM ledger_account a WHERE a.id = ANY(p_ids);
END
$$;

CREATE FUNCTION ledger_balancedelta_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balance deltas are written by the entry trigger only'
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_balancedelta_by_entries';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_balancedelta_guard BEFORE INSERT ON ledger_balancedelta
    FOR EACH ROW EXECUTE FUNCTION ledger_balancedelta_guard();

-- Deleting deltas folds them into the cached balance (the caller holds the account row lock).
CREATE FUNCTION ledger_balancedelta_fold() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_account AS a SET balance = a.balance + f.total
      FROM (SELECT account_id, sum(amount) AS total FROM folded GROUP BY account_id) AS f
     WHERE a.id = f.account_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_balancedelta_fold AFTER DELETE ON ledger_balancedelta
    REFERENCING OLD TABLE AS folded
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_balancedelta_fold();

CREATE FUNCTION ledger_entry_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_kind text;
BEGIN
    SELECT kind INTO STRICT v_kind FROM ledger_account WHERE id = NEW.account_id;
    IF (NEW.amount < 0 AND v_kind IN {FLOOR_KINDS}) OR (NEW.amount > 0 AND v_kind IN {CEILING_KINDS}) THEN
        -- Towards the bound: under the row lock, fold what has arrived and apply the entry, so
        -- ledger_account_balance_sign judges the whole balance.
        PERFORM 1 FROM ledger_account WHERE id = NEW.account_id FOR NO KEY UPDATE;
        DELETE FROM ledger_balancedelta WHERE account_id = NEW.account_id;
        UPDATE ledger_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    ELSE
        -- Away from the bound (or no bound): append only, no lock on the account row.
        INSERT INTO ledger_balancedelta (account_id, amount) VALUES (NEW.account_id, NEW.amount);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_apply();
"""

BACKWARD = """
DROP TRIGGER ledger_entry_apply ON ledger_entry;
DROP FUNCTION ledger_entry_apply();
DROP TRIGGER ledger_balancedelta_fold ON ledger_balancedelta;
DROP FUNCTION ledger_balancedelta_fold();
DROP TRIGGER ledger_balancedelta_guard ON ledger_balancedelta;
DROP FUNCTION ledger_balancedelta_guard();
DROP FUNCTION ledger_accounts_lock(bigint[]);
DROP TRIGGER ledger_account_kept ON ledger_account;
DROP TRIGGER ledger_account_guard ON ledger_account;
DROP FUNCTION ledger_account_guard();
DROP TRIGGER ledger_balancedelta_immutable ON ledger_balancedelta;
DROP TRIGGER ledger_holdshare_immutable ON ledger_holdshare;
DROP TRIGGER ledger_transaction_immutable ON ledger_transaction;
DROP TRIGGER ledger_entry_immutable ON ledger_entry;
DROP FUNCTION ledger_refuse_change();
DROP TRIGGER ledger_transaction_balanced ON ledger_transaction;
DROP TRIGGER ledger_entry_balanced ON ledger_entry;
DROP FUNCTION ledger_transaction_check_balanced();
DROP FUNCTION ledger_entry_check_balanced();
DROP FUNCTION ledger_transaction_assert_balanced(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
