"""The sandbox gateway's far side: a pretend card network with hosted pages, test cards and webhooks."""
