#!/usr/bin/python3
"""Makes the int8 NanoDet model (`precision: int8`) from the float model of tools/tfjs_to_onnx.py.

Two steps, with a calibration run on real frames between them (tools/model.cmake runs all three):

  quantize_nanodet.py expose --model nanodet-320.onnx --output nanodet-320-calibration.onnx
      The float model with every tensor that will be quantized added as a graph output.
  nanodet_calibrate ...   (tools/nanodet_calibrate.cc)
      Runs that model on vtest.avi's frames with ONNX Runtime and writes each tensor's range.
  quantize_nanodet.py quantize --model nanodet-320.onnx --ranges ranges.json --output nanodet-320-int8.onnx
      The QDQ model: QuantizeLinear/DequantizeLinear pairs around the activations, int8 weights.

What is quantized, and how (ONNX Runtime fuses these QDQ groups into its int8 kernels):
  - activations (the input and the outputs of Conv, LeakyRelu, Concat, Add, MaxPool, Resize): uint8,
    per tensor, from the calibrated range widened to include 0: the mean over the calibration
    regions of each region's min and max (the extremes of all regions spend the 256 steps on rare
    outliers; measured on vtest at 416, 97.9% of the float model's people kept against 99.2%). MaxPool and Resize take their
    input's parameters (data movement: the kernels need equal scales in and out);
  - Conv weights: int8, symmetric, per output channel; biases: int32 at input scale x weight scale;
  - not the detection heads: the three Convs whose outputs are split into scores and box
    distributions stay float, as does everything after them, so that scores near the threshold and
    the box distributions keep their precision.
The model's input is RGB scaled to [0, 1] (a byte / 255): its uint8 parameters (scale 1/255, zero
point 0) represent it exactly.
"""

import argparse
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QUANTIZED_OUTPUT_OPS = {"Conv", "LeakyRelu", "Concat", "Add", "MaxPool", "Resize"}
# Ops whose output keeps the quantization parameters of their first input.
SAME_SCALE_OPS = {"MaxPool", "Resize"}


def head_convs(graph):
    """Convs whose output feeds a Slice (the split into scores and box distributions)."""
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    heads = set()
    for node in graph.node:
        if node.op_type == "Conv" and any(c.op_type == "Slice" for c in consumers.get(node.output[0], [])):
            heads.add(node.name or node.output[0])
    return heads


def node_key(node):
    return node.name or node.output[0]


def tensors_to_quantize(graph):
    """The activation tensors that get uint8 parameters, in graph order, the input first."""
    heads = head_convs(graph)
    outputs = {o.name for o in graph.output}
    names = [graph.input[0].name]
    for node in graph.node:
        if node.op_type not in QUANTIZED_OUTPUT_OPS:
            continue
        if node.op_type == "Conv" and node_key(node) in heads:
            continue
        for name in node.output:
            if name not in outputs:
                names.append(name)
    return names


def expose(args):
    model = onnx.load(args.model)
    graph = model.graph
    existing = {o.name for o in graph.output}
    for name in tensors_to_quantize(graph):
        if name not in existing and name != graph.input[0].name:
            graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(model, args.output)


def uint8_params(low, high):
    low = min(float(low), 0.0)
    high = max(float(high), 0.0)
    if high - low < 1e-8:
        high = low + 1e-8
    scale = (high - low) / 255.0
    zero_point = int(round(-low / scale))
    return np.float32(scale), np.uint8(min(255, max(0, zero_point)))


def quantize(args):
    model = onnx.load(args.model)
    graph = model.graph
    with open(args.ranges) as f:
        ranges = json.load(f)[args.range_kind]
    initializers = {t.name: t for t in graph.initializer}
    heads = head_convs(graph)
    producer = {}
    for node in graph.node:
        for name in node.output:
            producer[name] = node

    # Quantization parameters of every activation tensor.
    input_name = graph.input[0].name
    params = {input_name: (np.float32(1.0 / 255.0), np.uint8(0))}
    missing = []
    for name in tensors_to_quantize(graph):
        if name == input_name:
            continue
        node = producer[name]
        if node.op_type in SAME_SCALE_OPS and node.input[0] in params:
            params[name] = params[node.input[0]]
        elif name in ranges:
            params[name] = uint8_params(*ranges[name])
        else:
            missing.append(name)
    if missing:
        sys.exit(f"quantize_nanodet: no calibrated range for {len(missing)} tensors, e.g. {missing[0]}")

    new_initializers = []
    qdq_nodes = []
    renamed = {}  # activation -> its dequantized copy, which the consumers read
    for name, (scale, zero_point) in params.items():
        scale_name, zp_name = f"{name}_scale", f"{name}_zero_point"
        new_initializers.append(numpy_helper.from_array(np.array(scale, dtype=np.float32), scale_name))
        new_initializers.append(numpy_helper.from_array(np.array(zero_point, dtype=np.uint8), zp_name))
        quantized, dequantized = f"{name}_quantized", f"{name}_dequantized"
        qdq_nodes.append((name, [
            helper.make_node("QuantizeLinear", [name, scale_name, zp_name], [quantized],
                             name=f"{name}_QuantizeLinear"),
            helper.make_node("DequantizeLinear", [quantized, scale_name, zp_name], [dequantized],
                             name=f"{name}_DequantizeLinear"),
        ]))
        renamed[name] = dequantized

    weight_nodes = []
    replaced_initializers = set()

    def per_channel_constant(name, quantized, scale, dtype):
        """Replaces initializer `name` by its quantized values and a DequantizeLinear along axis 0;
        returns the name of the dequantized tensor the Conv reads."""
        new_initializers.extend([
            numpy_helper.from_array(quantized, f"{name}_quantized"),
            numpy_helper.from_array(scale, f"{name}_scale"),
            numpy_helper.from_array(np.zeros(len(scale), dtype=dtype), f"{name}_zero_point"),
        ])
        weight_nodes.append(helper.make_node(
            "DequantizeLinear", [f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"],
            [f"{name}_dequantized"], name=f"{name}_DequantizeLinear", axis=0))
        replaced_initializers.add(name)
        return f"{name}_dequantized"

    for node in graph.node:
        if node.op_type != "Conv" or node_key(node) in heads:
            continue
        x_scale = params[node.input[0]][0]
        weight = numpy_helper.to_array(initializers[node.input[1]]).astype(np.float32)
        channels = weight.shape[0]
        w_max = np.abs(weight.reshape(channels, -1)).max(axis=1)
        w_scale = np.where(w_max > 0, w_max / 127.0, 1.0).astype(np.float32)
        w_q = np.clip(np.round(weight / w_scale.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        inputs = [node.input[0], per_channel_constant(node.input[1], w_q, w_scale, np.int8)]
        if len(node.input) > 2 and node.input[2]:
            bias = numpy_helper.to_array(initializers[node.input[2]]).astype(np.float64)
            b_scale = (np.float64(x_scale) * w_scale.astype(np.float64)).astype(np.float32)
            b_q = np.round(bias / b_scale.astype(np.float64)).astype(np.int32)
            inputs.append(per_channel_constant(node.input[2], b_q, b_scale, np.int32))
        del node.input[:]
        node.input.extend(inputs)

    # Consumers read the dequantized copies (a Conv's weights were rewired above).
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renamed:
                node.input[i] = renamed[name]

    # Each Q/DQ pair right after its tensor's producer (the input's at the start): a topological order.
    pairs = dict(qdq_nodes)
    ordered = list(weight_nodes) + pairs.get(input_name, [])
    for node in graph.node:
        ordered.append(node)
        for name in node.output:
            ordered.extend(pairs.get(name, []))
    del graph.node[:]
    graph.node.extend(ordered)

    kept = [t for t in graph.initializer if t.name not in replaced_initializers]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_initializers)
    # Intermediate shapes inferred for the float model no longer describe the rewired graph.
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, args.output)
    convs = sum(1 for n in graph.node if n.op_type == "Conv")
    print(f"quantize_nanodet: {args.output}: {len(params)} activations and {convs - len(heads)} of "
          f"{convs} convolutions quantized (the {len(heads)} detection heads stay float)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("expose", help="add the tensors to calibrate as graph outputs")
    p.add_argument("--model", required=True)
    p.add_argument("--output", required=True)
    p.set_defaults(run=expose)
    p = sub.add_parser("quantize", help="write the QDQ model from calibrated ranges")
    p.add_argument("--model", required=True)
    p.add_argument("--ranges", required=True, help="JSON written by nanodet_calibrate")
    p.add_argument("--output", required=True)
    p.add_argument("--range-kind", default="mean_ranges", choices=["ranges", "mean_ranges"],
                   help="mean_ranges (default): the means of each region's min and max; ranges: "
                        "the extremes over all regions (measured: fewer people kept)")
    p.set_defaults(run=quantize)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
