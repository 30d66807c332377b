"""Analytics dashboard for tiered diagnosis and treatment (分级诊疗) through medical consortia."""
