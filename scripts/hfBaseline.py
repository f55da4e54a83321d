# Reference for docs/benchmarks.md (needs Python with torch and transformers; no test needs it): Hugging Face's own
# MobileBertForSequenceClassification trained from scratch on the demo reviews with the demo baseline's config,
# vocabulary and schedule (AdamW, linear warm-up 10%, gradient clipping 1, batch 32, max length 48), to tell whether a
# student that stays at chance without a teacher is a property of the model or a fault of Distill Studio's trainer.
#
#   python scripts/hfBaseline.py <final folder of a baseline run> <no_norm|layer_norm> <seed> [epochs] [lr]
#
# The folder (config.json, vocab.txt) comes from `npm run baselines` (baselines-output/runs/<name>/final).
import json
import math
import random
import sys
from pathlib import Path

import torch
from transformers import (
    BertTokenizerFast,
    MobileBertConfig,
    MobileBertForSequenceClassification,
    get_linear_schedule_with_warmup,
)

final, norm, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
lr = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
root = Path(__file__).resolve().parent.parent / "examples" / "reviews"
torch.set_num_threads(1)
torch.manual_seed(seed)
random.seed(seed)

cfg = json.loads((final / "config.json").read_text())
cfg.pop("distill_studio", None)
cfg["normalization_type"] = norm
model = MobileBertForSequenceClassification(MobileBertConfig(**cfg))
tok = BertTokenizerFast(vocab_file=str(final / "vocab.txt"), do_lower_case=True)


def load(name):
    rows = [line.rstrip("\n").split("\t") for line in (root / name).read_text(encoding="utf8").splitlines()[1:]]
    return [t for t, _ in rows], [cfg["label2id"][y] for _, y in rows]


train_x, train_y = load("train.tsv")
eval_x, eval_y = load("eval.tsv")


def encode(texts):
    return tok(texts, padding=True, truncation=True, max_length=48, return_tensors="pt")


batch = 32
steps = epochs * math.ceil(len(train_x) / batch)
# As Distill Studio's AdamW (and the HF examples): no weight decay on biases and normalisation weights.
no_decay = [p for n, p in model.named_parameters() if n.endswith(".bias") or "LayerNorm.weight" in n]
decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or "LayerNorm.weight" in n)]
opt = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr, eps=1e-8
)
schedule = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)


def evaluate():
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(eval_x), 64):
            logits = model(**encode(eval_x[i : i + 64])).logits
            correct += (logits.argmax(-1) == torch.tensor(eval_y[i : i + 64])).sum().item()
    model.train()
    return correct / len(eval_x)


step, best = 0, 0.0
for _ in range(epochs):
    order = list(range(len(train_x)))
    random.shuffle(order)
    for i in range(0, len(order), batch):
        idx = order[i : i + batch]
        loss = model(**encode([train_x[j] for j in idx]), labels=torch.tensor([train_y[j] for j in idx])).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        opt.zero_grad()
        step += 1
        if step % 125 == 0:
            acc = evaluate()
            best = max(best, acc)
            print(f"step {step} loss {loss.item():.4f} eval accuracy {acc:.4f}", flush=True)
print(f"RESULT normalization={norm} seed={seed} epochs={epochs} lr={lr} best={best:.4f}")
