# Scale to zero: a request that wakes a stopped instance against one served
# warm, per target (categories), medians with whiskers.
load plotdir."/clusters.gp"
