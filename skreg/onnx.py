"""Export fitted skreg models to ONNX with skl2onnx (``pip install skreg[onnx]``).

Importing this module registers skl2onnx converters for the four estimators, so
that skl2onnx's own functions convert them, alone or inside a pipeline::

    import numpy as np
    import skreg.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32))

(:func:`register` does the same explicitly; it is idempotent.) The graph
computes what ``predict`` and ``predict_proba`` compute, with standard ONNX
operators only (opset 13 or later: MatMul, Add, the activations, Erf for the
exact GELU, Where for the slopes of leaky ReLU and PReLU, Exp, Sigmoid, Softmax,
ArgMax, Gather): every hidden activation of skreg, PReLU's learned slopes, and
every output link (identity, exp, logistic, softmax). The CV estimators export
the network refitted at ``alpha_`` (``estimator_``).

Outputs follow skl2onnx's conventions:

- regressor: ``variable``, shape ``(n_samples, n_outputs)`` (2-D also for a
  single target, where ``predict`` returns 1-D);
- classifier: ``label`` (int64 or string labels of ``classes_``; for multilabel
  targets an int64 indicator matrix) and ``probabilities``. As for scikit-learn's
  classifiers, skl2onnx wraps the probabilities in a ZipMap (a list of dicts)
  unless ``options={"zipmap": False}`` is passed.

The graph computes in the input's float type: float32 input gives float32
weights and outputs, float64 input float64 ones (other inputs are cast to
float32). onnxruntime has no float64 kernels for Erf, Elu, Softplus and PRelu:
float64 graphs write ELU and softplus out with other operators, and evaluate
GELU's erf in float32 (such outputs agree to about 1e-7, not 1e-15).
"""

import numpy as np

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
        guess_proto_type,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
except ImportError as error:  # pragma: no cover - the message is the point
    raise ImportError(
        "skreg.onnx needs skl2onnx and onnx: pip install 'skreg[onnx]'."
    ) from error

from skreg._activations import ACTIVATIONS, LEAKY_SLOPE
from skreg._cv import L2MLPClassifierCV, L2MLPRegressorCV
from skreg._mlp import L2MLPClassifier, L2MLPRegressor

__all__ = ["register"]

_NUMPY_DTYPES = {TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64}
# Options of the classifiers, handled by skl2onnx's classifier parser.
_CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [False, True]}


class _Graph:
    """Adds nodes and constants of one float type to skl2onnx's container."""

    def __init__(self, scope, container, proto_dtype):
        self.scope, self.container = scope, container
        self.proto_dtype = proto_dtype
        self.dtype = _NUMPY_DTYPES[proto_dtype]

    def constant(self, values, name="constant", proto_dtype=None):
        """A named initializer of ``values``, in the graph's float type unless
        ``proto_dtype`` says otherwise."""
        if proto_dtype is None:
            proto_dtype, values = self.proto_dtype, np.asarray(values, self.dtype)
        values = np.asarray(values)
        unique = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(
            unique, proto_dtype, list(values.shape), values.ravel().tolist()
        )
        return unique

    def node(self, op_type, inputs, output=None, **attributes):
        """One node; returns the name of its (single) output."""
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type, list(inputs), [output],
            name=self.scope.get_unique_operator_name(op_type), **attributes,
        )
        return output


# -- hidden activations: (graph, z, slopes of this layer or None) -> output -----------

def _gelu(graph, z, slopes):
    # z * Phi(z) = z * (1 + erf(z / sqrt(2))) / 2: exact GELU, as skreg.
    scaled = graph.node("Mul", [z, graph.constant(1 / np.sqrt(2.0))])
    if graph.proto_dtype == TensorProto.FLOAT:
        erf = graph.node("Erf", [scaled])
    else:
        # onnxruntime has no float64 Erf: evaluated in float32 (7 digits).
        single = graph.node("Cast", [scaled], to=TensorProto.FLOAT)
        erf = graph.node("Cast", [graph.node("Erf", [single])], to=graph.proto_dtype)
    one_plus = graph.node("Add", [erf, graph.constant(1.0)])
    half = graph.node("Mul", [z, graph.constant(0.5)])
    return graph.node("Mul", [half, one_plus])


def _rectifier(graph, z, slopes):
    """``z if z > 0 else slopes * z``, slopes broadcast along the rows.

    Written out rather than PRelu/LeakyRelu: onnxruntime has no float64 PRelu,
    and LeakyRelu's float32 attribute would round a float64 graph's slope.
    """
    negative = graph.node("Mul", [z, graph.constant(slopes, "slopes")])
    positive = graph.node("Greater", [z, graph.constant(0.0)])
    return graph.node("Where", [positive, z, negative])


def _elu(graph, z, slopes):
    if graph.proto_dtype == TensorProto.FLOAT:
        return graph.node("Elu", [z], alpha=1.0)
    # onnxruntime has no float64 Elu: z if z > 0 else exp(min(z, 0)) - 1.
    exp = graph.node("Exp", [graph.node("Min", [z, graph.constant(0.0)])])
    negative = graph.node("Sub", [exp, graph.constant(1.0)])
    positive = graph.node("Greater", [z, graph.constant(0.0)])
    return graph.node("Where", [positive, z, negative])


def _softplus(graph, z, slopes):
    if graph.proto_dtype == TensorProto.FLOAT:
        return graph.node("Softplus", [z])
    # onnxruntime has no float64 Softplus: max(z, 0) + log(1 + exp(-|z|)),
    # which cannot overflow.
    exp = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [z])])])
    log = graph.node("Log", [graph.node("Add", [exp, graph.constant(1.0)])])
    return graph.node("Add", [graph.node("Relu", [z]), log])


#: One entry per activation of skreg's table (aliases resolve to these names).
HIDDEN_ACTIVATIONS = {
    "identity": lambda graph, z, slopes: z,
    "logistic": lambda graph, z, slopes: graph.node("Sigmoid", [z]),
    "tanh": lambda graph, z, slopes: graph.node("Tanh", [z]),
    "relu": lambda graph, z, slopes: graph.node("Relu", [z]),
    "leaky_relu": lambda graph, z, slopes: _rectifier(graph, z, LEAKY_SLOPE),
    "prelu": _rectifier,
    "elu": _elu,
    "gelu": _gelu,
    "silu": lambda graph, z, slopes: graph.node("Mul", [z, graph.node("Sigmoid", [z])]),
    "softplus": _softplus,
}


def _network(model):
    """The fitted network that predicts for ``model`` (a CV's refitted one)."""
    return getattr(model, "estimator_", model)


def _raw_output(graph, network, X):
    """The last layer's raw output, ``(n_samples, n_outputs)``."""
    activation = HIDDEN_ACTIVATIONS[ACTIVATIONS[network.activation].name]
    slopes = getattr(network, "prelu_slopes_", None)
    a = X
    n_layers = len(network.coefs_)
    for i, (W, b) in enumerate(zip(network.coefs_, network.intercepts_)):
        product = graph.node("MatMul", [a, graph.constant(W, f"coef_{i}")])
        a = graph.node("Add", [product, graph.constant(b, f"intercept_{i}")])
        if i < n_layers - 1:
            a = activation(graph, a, None if slopes is None else slopes[i])
    return a


def _start(scope, operator, container):
    """The graph in the input's float type and the input cast to it."""
    proto_dtype = guess_proto_type(operator.inputs[0].type)
    if proto_dtype not in _NUMPY_DTYPES:
        proto_dtype = TensorProto.FLOAT
    graph = _Graph(scope, container, proto_dtype)
    X = graph.node("Cast", [operator.inputs[0].full_name], to=proto_dtype)
    return graph, X


def _float_type(operator):
    return (
        DoubleTensorType
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else FloatTensorType
    )


# -- regressor ------------------------------------------------------------------------

def _regressor_shape(operator):
    n_samples = operator.inputs[0].get_first_dimension()
    n_outputs = _network(operator.raw_operator).n_outputs_
    operator.outputs[0].type = _float_type(operator)([n_samples, n_outputs])


def _convert_regressor(scope, operator, container):
    network = _network(operator.raw_operator)
    graph, X = _start(scope, operator, container)
    raw = _raw_output(graph, network, X)
    output = operator.outputs[0].full_name
    if network.out_activation_ == "exp":
        graph.node("Exp", [raw], output)
    elif network.out_activation_ == "identity":
        graph.node("Identity", [raw], output)
    else:  # pragma: no cover - a new link must be added here
        raise NotImplementedError(
            f"No ONNX form of the output link {network.out_activation_!r}."
        )


# -- classifier -----------------------------------------------------------------------

def _is_multilabel(network):
    return network._label_binarizer.y_type_ == "multilabel-indicator"


def _label_constant(graph, classes):
    """``classes`` as an int64 or string initializer, and its tensor type."""
    if classes.dtype.kind in "OUS":
        encoded = [str(label).encode("utf-8") for label in classes]
        return graph.constant(encoded, "classes", TensorProto.STRING), StringTensorType
    # Numeric labels are integers (scikit-learn refuses non-integer floats).
    as_int = classes.astype(np.int64)
    return graph.constant(as_int, "classes", TensorProto.INT64), Int64TensorType


def _label_type(operator):
    network = _network(operator.raw_operator)
    if _is_multilabel(network):
        return Int64TensorType
    classes = get_label_classes(operator.scope_inst, operator.raw_operator)
    return StringTensorType if np.asarray(classes).dtype.kind in "OUS" else (
        Int64TensorType
    )


def _classifier_shape(operator):
    n_samples = operator.inputs[0].get_first_dimension()
    network = _network(operator.raw_operator)
    n_columns = len(network.classes_)
    label_shape = [n_samples, n_columns] if _is_multilabel(network) else [n_samples]
    operator.outputs[0].type = _label_type(operator)(label_shape)
    operator.outputs[1].type = _float_type(operator)([n_samples, n_columns])


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    network = _network(model)
    graph, X = _start(scope, operator, container)
    raw = _raw_output(graph, network, X)
    label, proba = (output.full_name for output in operator.outputs[:2])
    if _is_multilabel(network):
        graph.node("Sigmoid", [raw], proba)
        positive = graph.node("Greater", [raw, graph.constant(0.0)])
        graph.node("Cast", [positive], label, to=TensorProto.INT64)
        return
    if network.out_activation_ == "softmax":
        graph.node("Softmax", [raw], proba, axis=1)
        index = graph.node("ArgMax", [raw], axis=1, keepdims=0)
    else:
        # [expit(-raw), expit(raw)], as predict_proba (no 1 - p cancellation).
        negative = graph.node("Sigmoid", [graph.node("Neg", [raw])])
        graph.node("Concat", [negative, graph.node("Sigmoid", [raw])], proba, axis=1)
        positive = graph.node("Greater", [raw, graph.constant(0.0)])
        flat = graph.node(
            "Reshape",
            [positive, graph.constant([-1], "flat", TensorProto.INT64)],
        )
        index = graph.node("Cast", [flat], to=TensorProto.INT64)
    # skl2onnx's option nocl=True asks for class indices instead of labels.
    classes, _ = _label_constant(
        graph, np.asarray(get_label_classes(scope, model))
    )
    graph.node("Gather", [classes, index], label, axis=0)


def register():
    """Register skl2onnx's converters for the four skreg estimators.

    Importing :mod:`skreg.onnx` calls it; calling it again changes nothing.
    """
    for cls in (L2MLPRegressor, L2MLPRegressorCV):
        update_registered_converter(
            cls, f"Skreg{cls.__name__}", _regressor_shape, _convert_regressor
        )
    for cls in (L2MLPClassifier, L2MLPClassifierCV):
        update_registered_converter(
            cls, f"Skreg{cls.__name__}", _classifier_shape, _convert_classifier,
            options=_CLASSIFIER_OPTIONS,
        )


register()
