import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BudgetSpec } from '../../core/budgets.js';
import { budgetCheck } from './budget.js';

const spec = (over: Partial<BudgetSpec> = {}): BudgetSpec => ({
  id: 'b1', name: 'daily', scope: 'project', scope_value: null, period: 'daily', amount_usd: 1, action: 'block', downgrade_model: null, source: 'api', ...over,
});
const q = { projectId: 'p', projectSlug: 'p', model: 'openai/gpt-4o' };

/** A source whose stored spend the test sets, counting reads; a clock the test moves. */
function rig(budgets: BudgetSpec[]) {
  const state = { stored: 0, reads: 0, lists: 0, t: Date.UTC(2026, 4, 5, 12), fail: false };
  const check = budgetCheck(
    {
      budgets: () => (state.lists++, budgets),
      spent: async () => {
        state.reads++;
        if (state.fail) throw new Error('store down');
        return state.stored;
      },
    },
    { ttlMs: 1_000, now: () => state.t, onError: () => {} },
  );
  return { state, check };
}

describe('stored-spend budget check', () => {
  it('reads the store at most once per ttl however many requests come, and adds its own spend at once', async () => {
    const { state, check } = rig([spec()]);
    for (let i = 0; i < 1_000; i++) assert.equal((await check.check(q)).action, 'allow');
    assert.deepEqual([state.reads, state.lists], [1, 1], 'one read of spend and of the list for 1,000 checks');
    check.record(q, 1.5);
    assert.equal((await check.check(q)).action, 'reject', 'this process’s spend counts before it is stored');
    assert.equal(state.reads, 1);
  });

  it('sees another process’s spend after the ttl, without counting its own twice once stored', async () => {
    const { state, check } = rig([spec({ amount_usd: 1 })]);
    await check.check(q);
    check.record(q, 0.6);
    state.stored = 0.6; // our own call, now written
    state.t += 1_001;
    assert.equal((await check.check(q)).action, 'allow', '0.6 stored, not 1.2');
    state.stored = 1.1; // another process spent 0.5
    assert.equal((await check.check(q)).action, 'allow', 'within the ttl the old reading stands');
    state.t += 1_001;
    const d = await check.check(q);
    assert.equal(d.action, 'reject');
    assert.match(d.action === 'reject' ? d.message : '', /Budget "daily" \(the project, daily\) is spent: \$1\.10 of \$1\.00 since 2026-05-05T00:00:00\.000Z; it resets at 2026-05-06T00:00:00\.000Z/);
  });

  it('downgrades to the named model, refuses requests already on it, and block wins over downgrade', async () => {
    const down = spec({ id: 'd', name: 'down', action: 'downgrade', downgrade_model: 'openai/gpt-4o-mini' });
    const { state, check } = rig([down]);
    state.stored = 2;
    const d = await check.check(q);
    assert.deepEqual(d.action === 'downgrade' ? [d.model, d.budget] : d, ['openai/gpt-4o-mini', { id: 'd', name: 'down' }]);
    assert.equal((await check.check({ ...q, model: 'openai/gpt-4o-mini' })).action, 'reject');
    const both = rig([down, spec({ id: 'm', name: '4o', scope: 'model', scope_value: 'gpt-4o' })]);
    both.state.stored = 2;
    const b = await both.check.check(q);
    assert.equal(b.action === 'reject' && b.budget?.id, 'm');
  });

  it('applies model and user budgets to their requests only, and ignores alert-only budgets', async () => {
    const { state, check } = rig([spec({ scope: 'model', scope_value: 'gpt-4o' }), spec({ id: 'u', scope: 'user', scope_value: 'bob' }), spec({ id: 'a', action: 'alert' })]);
    state.stored = 5;
    assert.equal((await check.check({ ...q, model: 'openai/gpt-4o-mini' })).action, 'allow', 'another model, no user, alert-only project budget');
    assert.equal((await check.check({ ...q, model: 'gpt-4o' })).action, 'reject');
    assert.equal((await check.check({ ...q, model: 'anthropic/x', userId: 'bob' })).action, 'reject');
  });

  it('a new period starts from a fresh reading; a store failure keeps the last reading (fails open)', async () => {
    const { state, check } = rig([spec()]);
    state.stored = 5;
    assert.equal((await check.check(q)).action, 'reject');
    state.t = Date.UTC(2026, 4, 6, 0, 0, 0, 1);
    state.stored = 0;
    assert.equal((await check.check(q)).action, 'allow', 'the next UTC day');
    state.fail = true;
    state.t += 5_000;
    assert.equal((await check.check(q)).action, 'allow');
  });
});
