/**
 * What the app's TF.js can run: the TensorFlow ops of a graph model and the Keras layer classes
 * of a layers model. One list, read by the model check (publish, registry, worker messages) and
 * meant to be the single source of the classifier worker's TF.js bundle. Started from what the
 * full @tensorflow/tfjs 4.22 maps (tfjs-converter `operations/op_list/*`, tfjs-layers'
 * serialization registry), less the TF Decision Forests ops that need @tensorflow/tfjs-tfdf;
 * worker/classifier/model-ops.test.ts checks every entry against the installed TF.js.
 */

/** TensorFlow op names (`node[].op` in a graph model.json) the app can execute. */
export const SUPPORTED_GRAPH_OPS: readonly string[] = [
  // arithmetic
  ...['Add', 'AddV2', 'AddN', 'BiasAdd', 'Sub', 'RealDiv', 'Div', 'DivNoNan', 'FloorDiv', 'Mul'],
  ...['Maximum', 'Minimum', 'Pow', 'SquaredDifference', 'Mod', 'FloorMod'],
  // basic math
  ...['Abs', 'Acos', 'Asin', 'Atan', 'Atan2', 'Ceil', 'ClipByValue', 'Complex', 'ComplexAbs'],
  ...['Cos', 'Cosh', 'Elu', 'Exp', 'Floor', 'Log', 'Imag', 'Neg', 'Real', 'Prelu', 'Relu'],
  ...['Relu6', 'Selu', 'Sigmoid', 'Sin', 'Sinh', 'Sqrt', 'Rsqrt', 'Square', 'Tan', 'Tanh'],
  ...['Sign', 'Round', 'Expm1', 'Log1p', 'Reciprocal', 'Softplus', 'Asinh', 'Acosh', 'Atanh'],
  ...['Erf', 'LeakyRelu', 'IsNan', 'IsFinite', 'IsInf'],
  // control flow
  ...['EmptyTensorList', 'LoopCond', 'Switch', 'Merge', 'Enter', 'Exit', 'NextIteration'],
  ...['TensorArrayV3', 'TensorArrayWriteV3', 'TensorArrayReadV3', 'TensorArrayGatherV3'],
  ...['TensorArrayScatterV3', 'TensorArrayConcatV3', 'TensorArraySplitV3', 'TensorArraySizeV3'],
  ...['TensorArrayCloseV3', 'StatelessIf', 'If', 'StatelessWhile', 'While', 'TensorListScatter'],
  ...['TensorListScatterV2', 'TensorListGather', 'TensorListGetItem', 'TensorListSetItem'],
  ...['TensorListReserve', 'TensorListFromTensor', 'TensorListStack', 'TensorListSplit'],
  ...['TensorListConcat', 'TensorListConcatV2', 'TensorListPopBack', 'TensorListPushBack'],
  ...['TensorListLength', 'TensorListResize'],
  // convolution and pooling
  ...['AvgPool', 'MaxPool', 'MaxPoolWithArgmax', 'AvgPool3D', 'MaxPool3D', 'Conv1D', 'Conv2D'],
  ...['_FusedConv2D', 'Conv2DBackpropInput', 'DepthwiseConv2d', 'DepthwiseConv2dNative'],
  ...['FusedDepthwiseConv2dNative', 'Conv3D', 'Dilation2D'],
  // creation
  ...['Fill', 'LinSpace', 'OneHot', 'Ones', 'OnesLike', 'RandomStandardNormal', 'RandomUniform'],
  ...['RandomUniformInt', 'Range', 'TruncatedNormal', 'Zeros', 'ZerosLike', 'Multinomial'],
  // dynamic shapes
  ...['NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4'],
  ...['NonMaxSuppressionV5', 'Where', 'ListDiff'],
  // evaluation
  ...['LowerBound', 'TopKV2', 'UpperBound', 'Unique', 'UniqueV2'],
  // graph plumbing
  ...['PlaceholderWithDefault', 'Placeholder', 'Const', 'Identity', 'IdentityN', 'Snapshot'],
  ...['Rank', 'Size', 'Shape', 'ShapeN', 'Print', 'NoOp', 'StopGradient'],
  ...['FakeQuantWithMinMaxVars'],
  // hash tables
  ...['HashTable', 'HashTableV2', 'LookupTableImport', 'LookupTableImportV2', 'LookupTableFind'],
  ...['LookupTableFindV2', 'LookupTableSize', 'LookupTableSizeV2', 'InitializeTable'],
  ...['InitializeTableV2'],
  // image
  ...['ResizeBilinear', 'ResizeNearestNeighbor', 'CropAndResize', 'ImageProjectiveTransformV3'],
  // logical
  ...['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd'],
  ...['LogicalNot', 'LogicalOr', 'Select', 'SelectV2', 'BitwiseAnd'],
  // matrices
  ...['_FusedMatMul', 'MatMul', 'BatchMatMul', 'BatchMatMulV2', 'Transpose', 'Einsum'],
  ...['MatrixBandPart'],
  // normalization
  ...['EuclideanNorm', 'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3', 'LRN'],
  ...['Softmax', 'LogSoftmax'],
  // ragged
  ...['RaggedGather', 'RaggedRange', 'RaggedTensorToTensor'],
  // reduction
  ...['Bincount', 'DenseBincount', 'Max', 'Mean', 'Min', 'Sum', 'All', 'Any', 'ArgMax', 'ArgMin'],
  ...['Prod', 'Cumprod', 'Cumsum'],
  // slicing and joining
  ...['ConcatV2', 'Concat', 'GatherV2', 'Gather', 'Reverse', 'ReverseV2', 'Slice'],
  ...['StridedSlice', 'Pack', 'Unpack', 'Tile', 'Split', 'SplitV', 'ScatterNd', 'GatherNd'],
  ...['SparseToDense', 'TensorScatterUpdate'],
  // sparse
  ...['SparseFillEmptyRows', 'SparseReshape', 'SparseSegmentMean', 'SparseSegmentSum'],
  // spectral
  ...['FFT', 'IFFT', 'RFFT', 'IRFFT'],
  // strings
  ...['StaticRegexReplace', 'StringNGrams', 'StringSplit', 'StringToHashBucketFast'],
  // transformation
  ...['Cast', 'ExpandDims', 'MirrorPad', 'Pad', 'PadV2', 'Reshape', 'EnsureShape', 'Squeeze'],
  ...['SpaceToBatchND', 'BatchToSpaceND', 'DepthToSpace', 'BroadcastTo', 'BroadcastArgs'],
];

/** Keras layer classes (`class_name` in a layers model.json) TF.js layers can build. */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = [
  ...['Activation', 'Add', 'AlphaDropout', 'Average', 'AveragePooling1D', 'AveragePooling2D'],
  ...['AveragePooling3D', 'BatchNormalization', 'Bidirectional', 'CategoryEncoding'],
  ...['CenterCrop', 'Concatenate', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'Conv3D'],
  ...['Conv3DTranspose', 'ConvLSTM2D', 'Cropping2D', 'Dense', 'DepthwiseConv2D', 'Dot'],
  ...['Dropout', 'ELU', 'Embedding', 'Flatten', 'Functional', 'GRU', 'GaussianDropout'],
  ...['GaussianNoise', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D'],
  ...['GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'InputLayer', 'LSTM', 'LayerNormalization'],
  ...['LeakyReLU', 'Masking', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'Maximum'],
  ...['Minimum', 'Model', 'Multiply', 'PReLU', 'Permute', 'RNN', 'RandomWidth', 'ReLU'],
  ...['RepeatVector', 'Rescaling', 'Reshape', 'Resizing', 'SeparableConv2D', 'Sequential'],
  ...['SimpleRNN', 'Softmax', 'SpatialDropout1D', 'ThresholdedReLU', 'TimeDistributed'],
  ...['UpSampling2D', 'ZeroPadding2D'],
];
