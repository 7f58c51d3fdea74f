# Placeholder until the unikernel lands (issue 3).
unikernel:
