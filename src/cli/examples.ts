/** Each command's Examples section in its --help: commands a user can paste from the checkout. */
export const EXAMPLES: Record<string, string[]> = {
  models: ['accelmap models'],
  ops: ['accelmap ops'],
  profile: ['accelmap profile resnet50', 'accelmap profile bert_base --seq-len 128 --mode train --device a100-80gb --json', 'accelmap profile ../shared/models/mobilenet_v2.onnx --mode train'],
  compare: ['accelmap compare resnet50 vgg16 bert_base gpt2', 'accelmap compare alexnet overfeat --by class --json'],
  arch: ['accelmap arch', 'accelmap arch eyeriss', 'accelmap arch presets/arch/simba.yaml'],
  model: ['accelmap model --arch eyeriss --layer conv:K=64,C=64,P=56,Q=56,R=3,S=3 --mapping docs/examples/eyeriss-conv3x3.mapping.yaml', 'accelmap model --arch eyeriss --layer layer.json --mapping layer.json --timeloop-out map.yaml'],
  map: [
    'accelmap map resnet50 --arch eyeriss',
    'accelmap map conv:K=64,C=64,P=56,Q=56,R=3,S=3 --arch simba --dataflow all --budget 20000',
    'accelmap map bert_base --arch tpu-v1 --objective latency --out bert.html --timeloop-out mappings/',
    'accelmap map resnet18 --arch eyeriss --mode train --csv > layers.csv',
  ],
  timeloop: ['accelmap timeloop presets/timeloop/simple-os/arch.yaml presets/timeloop/problems/alexnet-conv1.problem.yaml presets/timeloop/simple-os/alexnet-conv1.mapping.yaml --ert presets/timeloop/simple-os/ERT.yaml'],
  systolic: ['accelmap systolic -c presets/scalesim/scale_ws.cfg -t presets/scalesim/alexnet.csv', 'accelmap systolic -c presets/scalesim/scale_is.cfg -t presets/scalesim/transformer_gemm.csv --gemm --json'],
  memory: ['accelmap memory vgg16 --batch 256 --device titan-x', 'accelmap memory resnet50 --device v100-16gb --policy recompute --max-batch', 'accelmap memory vgg16 --batch 64 --arch eyeriss --trace t.json --out m.html'],
  scale: ['accelmap scale resnet50 --devices 1024 --topology hier --link-gbps 100', 'accelmap scale gpt2 --devices 64 --topology torus2d --link-gbps 200 --parallel tp --tp 8', 'accelmap scale resnet50 --devices 256 --topology ring --link-gbps 10 --compress adacomp --out r.html'],
  run: ['accelmap run resnet18 --seed 3 --outputs out.npz', 'accelmap run ../shared/models/squeezenet1_1.onnx --inputs in.npz --json'],
  compile: ['accelmap compile resnet50', 'accelmap compile mobilenet_v2 --passes simplify,bn-fold,fuse --dump-after fuse', 'accelmap compile bert_base --arch simba --json'],
  'compress-demo': ['accelmap compress-demo', 'accelmap compress-demo --json'],
};
