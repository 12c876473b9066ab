// Charges an order's total and returns a receipt (a stand-in for a payment service).
function main(order) {
  return { receipt: `r-${order.id}` };
}
