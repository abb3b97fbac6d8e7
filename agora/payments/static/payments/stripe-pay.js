// Mounts Stripe Elements for a PaymentIntent and confirms it; Stripe then redirects to the return URL
// and tells the server the outcome by webhook.
(function () {
  "use strict";
  const root = document.getElementById("stripe-pay");
  if (!root) return;
  const form = document.getElementById("stripe-pay-form");
  const errorBox = document.getElementById("stripe-pay-error");
  window.addEventListener("load", function () {
    if (typeof window.Stripe !== "function") return; // offline: the page explains why there is no form
    document.getElementById("stripe-pay-offline").hidden = true;
    const stripe = window.Stripe(root.dataset.publishableKey);
    const elements = stripe.elements({ clientSecret: root.dataset.clientSecret });
    elements.create("payment").mount("#stripe-payment-element");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const result = await stripe.confirmPayment({ elements: elements, confirmParams: { return_url: root.dataset.returnUrl } });
      if (result.error) errorBox.textContent = result.error.message;
    });
  });
})();
