"""scikit-learn's estimator checks, in several settings, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor

SETTINGS = [
    {},
    {"penalty": "l1"},
    {"penalty": "group_lasso"},
    {"solver": "sgd"},
    {"solver": "fista"},
    {"hidden_layer_sizes": ()},
    # The exact linear solver, whose weighted and repeated fits (dense and sparse)
    # must agree to scikit-learn's 1e-7; with pure L1 (and the group penalty, which
    # is L1 for one output) on the check's data of 30 features and 9 distinct
    # samples, only when the solver reaches the unique optimum.
    {"hidden_layer_sizes": (), "solver": "fista"},
    {"hidden_layer_sizes": (), "solver": "fista", "penalty": "l1"},
    {"hidden_layer_sizes": (), "solver": "fista", "penalty": "group_lasso"},
]

ESTIMATORS = [
    Estimator(**settings)
    for Estimator in (RegularizedMLPClassifier, RegularizedMLPRegressor)
    for settings in SETTINGS
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
