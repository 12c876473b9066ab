// Rejects an order without an id or without lines; passes a valid order through unchanged.
function main(order) {
  if (typeof order.id !== 'string' || !Array.isArray(order.lines) || order.lines.length === 0) {
    return { error: { name: 'InvalidOrder', message: 'an order needs an id and at least one line' } };
  }
  return order;
}
