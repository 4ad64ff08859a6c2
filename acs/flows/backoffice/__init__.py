"""The back office's use cases (docs/backoffice.md): the staff login and sessions, finding a
customer, the customer's page, the fraud desk, the transactions explained, the dashboard."""
