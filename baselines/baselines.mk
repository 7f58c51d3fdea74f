# Placeholder until the Linux VM baseline lands (issue 4).
baselines:
