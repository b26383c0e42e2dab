"""PostgreSQL advisory lock keys of this addon: (namespace, key) pairs, one namespace per kind of lock."""

SLA_RUN = (154_001, 0)  # one SLA run at a time, over all servers
SENDING_NAMESPACE = 154_002  # (SENDING_NAMESPACE, account id): one sender per WhatsApp account


def sending(account_id):
    return (SENDING_NAMESPACE, account_id)
