import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka';

/**
 * Round robin over the members **subscribed to each topic** (the client's default ignores subscriptions, which
 * would hand an invoker's own topic to another invoker). Members are sorted so every leader computes the same plan.
 *
 * The topics are the union of every member's subscription, not the `topics` argument: @platformatic/kafka 1.x
 * passes the leader's own subscription there, which would leave every other invoker's own topic unassigned.
 */
export const subscriptionAwareAssigner: GroupPartitionsAssigner = (_current, members, _leaderTopics, metadata) => {
  const topics = new Set([...members.values()].flatMap((m) => m.topics ?? []));
  const ids = [...members.keys()].sort();
  const plans = new Map<string, GroupPartitionsAssignments>(
    ids.map((memberId) => [memberId, { memberId, assignments: new Map() }]),
  );
  let turn = 0;
  for (const topic of [...topics].sort()) {
    const subscribers = ids.filter((id) => members.get(id)?.topics?.includes(topic));
    if (subscribers.length === 0) continue;
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let partition = 0; partition < count; partition++) {
      const memberId = subscribers[turn++ % subscribers.length]!;
      const assignments = plans.get(memberId)!.assignments;
      const entry = assignments.get(topic) ?? { topic, partitions: [] };
      entry.partitions.push(partition);
      assignments.set(topic, entry);
    }
  }
  return [...plans.values()];
};
