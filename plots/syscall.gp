# System call latency: median ns per operation (categories) and target
# (series), log scale, whiskers from the repetitions.
load plotdir."/clusters.gp"
