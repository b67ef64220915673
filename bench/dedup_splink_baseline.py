"""A plain splink setup on a FEBRL-style CSV (the baseline for bench/dedup_febrl.py).

Run by splink's own interpreter: python dedup_splink_baseline.py IN.csv OUT.json THRESHOLD
Name, date of birth, id and address comparisons, five blocking rules, u by random
sampling, m by EM over two blocking rules, as splink's FEBRL examples do.
Writes the uid pairs at or above the threshold as JSON.
"""

import json
import sys

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

source, target, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
df = pd.read_csv(source, dtype=str, skipinitialspace=True).fillna("")
df.columns = [c.strip() for c in df.columns]
df = df.rename(columns={"uid": "unique_id"})
for column in df.columns:
    df[column] = df[column].str.strip().replace("", None)

settings = SettingsCreator(
    link_type="dedupe_only",
    blocking_rules_to_generate_predictions=[
        block_on("given_name", "surname"),
        block_on("surname", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("soc_sec_id"),
        block_on("postcode", "street_number"),
    ],
    comparisons=[
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
        cl.ExactMatch("state"),
    ],
    retain_intermediate_calculation_columns=False,
)
db_api = DuckDBAPI()
linker = Linker(db_api.register(df), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("soc_sec_id"), block_on("given_name", "surname")], recall=0.8
)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
pairs = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
json.dump(list(zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)), open(target, "w"))
