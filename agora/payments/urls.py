from django.urls import path

from agora.payments import views

app_name = "payments"
urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/history.csv", views.wallet_history_csv, name="wallet-history-csv"),
    path("wallet/topups/", views.topup, name="topup"),
    path("wallet/payout-methods/", views.payout_method_add, name="payout-method-add"),
    path("wallet/payout-methods/<int:method_id>/remove/", views.payout_method_remove, name="payout-method-remove"),
    path("wallet/withdrawals/", views.withdrawal_request, name="withdrawal-request"),
    path("staff/payouts/", views.staff_payouts, name="staff-payouts"),
    path("staff/payouts/<int:payout_id>/approve/", views.staff_payout_approve, name="staff-payout-approve"),
    path("staff/payouts/<int:payout_id>/reject/", views.staff_payout_reject, name="staff-payout-reject"),
    path("staff/ledger/", views.staff_ledger, name="staff-ledger"),
    path("staff/ledger.csv", views.staff_ledger_csv, name="staff-ledger-csv"),
    path("staff/payments/", views.staff_payments, name="staff-payments"),
    path("staff/payments.csv", views.staff_payments_csv, name="staff-payments-csv"),
    path("staff/reconciliation/", views.staff_reconciliation, name="staff-reconciliation"),
]
