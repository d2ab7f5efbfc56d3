"""Who may see and do what: users and their roles and clients, personal tokens, web sessions
and sign-in throttling. Persistence is ``store.access_models``; the shells (CLI, web, the
Prefect form) turn a name or a session into an :class:`access.roles.Actor` here and hand it to
``review.acting``, which checks every action against it."""
