"""Losses and metrics for semantic segmentation (chapter 21).

Shapes: ``logits`` (N, C, H, W), ``target`` (N, H, W) integer class indices in 0..C-1,
``pred`` (N, H, W) or (H, W) integer class indices (e.g. ``logits.argmax(1)``).

Losses, all means over the batch and its pixels, differentiable in the logits:
:func:`cross_entropy` (pixel-wise, optionally weighted per pixel), :func:`soft_dice_loss`
(multi-class, from softmax probabilities), and the boundary-weighted cross-entropy:
:func:`boundary_weight_map` gives every pixel the weight
``1 + w0 * exp(-d^2 / (2 sigma^2))``, ``d`` its distance to the nearest pixel of another
class, computed with ``scipy.ndimage.distance_transform_edt``. It is the border term of
the weight map of Ronneberger et al. (2015, eq. 2) with one distance where the paper sums
the distances to the two nearest cells, and without the paper's class-balancing term.

Metrics, from integer masks: :func:`iou_per_class`, :func:`dice_per_class` and their
averages :func:`mean_iou`, :func:`mean_dice`. Counts are pooled over every pixel given.

The taught cores, which the chapter shows and a test keeps identical, carry no argument
checks: :func:`pixel_cross_entropy`, :func:`soft_dice_per_class`,
:func:`boundary_weights` (one mask) and :func:`confusion_counts`. The other functions
check their arguments, then call them.
**Empty-mask convention**: a class absent from both ``pred`` and ``target`` has an
undefined score (0/0); it is returned as NaN and left out of the averages.
"""

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

__all__ = [
    "pixel_cross_entropy",
    "cross_entropy",
    "soft_dice_per_class",
    "soft_dice_loss",
    "boundary_weights",
    "boundary_weight_map",
    "boundary_weighted_cross_entropy",
    "confusion_counts",
    "iou_per_class",
    "dice_per_class",
    "mean_iou",
    "mean_dice",
]


def _check_class_indices(name, labels, num_classes, context=""):
    """``labels`` must hold integer class indices in 0..num_classes - 1."""
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got {labels.dtype}")
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"{name} classes must lie in 0..{num_classes - 1}{context}, "
            f"got {labels.min().item()}..{labels.max().item()}"
        )


def _check_logits_target(logits, target):
    if logits.ndim != 4:
        raise ValueError(f"logits must be (N, C, H, W), got shape {tuple(logits.shape)}")
    n, c, h, w = logits.shape
    if target.shape != (n, h, w):
        raise ValueError(
            f"target must be (N, H, W) = {(n, h, w)} to match the logits, "
            f"got {tuple(target.shape)}"
        )
    _check_class_indices("target", target, c, f" for C = {c} logits")


def pixel_cross_entropy(logits, target, weight=None):
    """Mean over pixels of -log softmax(logits)[target], weighted if ``weight`` is given.

    logits (N, K, H, W), target (N, H, W) class indices, weight (N, H, W) or None:
    then sum(w * ce) / sum(w). The taught core of :func:`cross_entropy` (no checks).
    """
    # (N, K, H, W) -> (N, H, W): minus the log-probability of each pixel's class
    ce = -logits.log_softmax(dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    if weight is None:
        return ce.mean()
    return (weight * ce).sum() / weight.sum()  # the weighted mean


def cross_entropy(logits, target, weight=None):
    """Pixel-wise cross-entropy -log softmax(logits)[target], averaged over pixels.

    With ``weight`` (N, H, W) of non-negative pixel weights, the weighted average
    sum(w * ce) / sum(w). Checks its arguments, then calls :func:`pixel_cross_entropy`.
    Matches torch.nn.functional.cross_entropy (no weight).
    """
    _check_logits_target(logits, target)
    if weight is not None and weight.shape != target.shape:
        raise ValueError(
            f"weight must have the target's shape {tuple(target.shape)}, "
            f"got {tuple(weight.shape)}"
        )
    return pixel_cross_entropy(logits, target, weight)


def soft_dice_per_class(logits, target, smooth=1.0):
    """Soft Dice coefficient of each class, from softmax probabilities: (K,).

    With p = softmax(logits) and y the one-hot target, per class c (sums over the
    batch and all pixels, so a class absent from one image is no special case):
    D_c = (2 sum p_c y_c + smooth) / (sum p_c + sum y_c + smooth). The taught core of
    :func:`soft_dice_loss` (no checks).
    """
    p = logits.softmax(dim=1)  # (N, K, H, W)
    y = F.one_hot(target, p.shape[1]).permute(0, 3, 1, 2).to(p.dtype)  # same
    dims = (0, 2, 3)  # sum over the batch and pixels, keep the class axis
    overlap = (p * y).sum(dims)  # the soft |P_c ∩ T_c| of each class
    return (2 * overlap + smooth) / (p.sum(dims) + y.sum(dims) + smooth)


def soft_dice_loss(logits, target, smooth=1.0):
    """Multi-class soft Dice loss: 1 - mean over classes of :func:`soft_dice_per_class`.

    ``smooth`` > 0 keeps D_c defined (and equal to 1) for a class absent from target
    and prediction. No torch twin (cf. monai.losses.DiceLoss with softmax=True,
    batch=True).
    """
    _check_logits_target(logits, target)
    if not smooth > 0:
        raise ValueError(f"smooth must be > 0, got {smooth!r}")
    return 1 - soft_dice_per_class(logits, target, smooth).mean()


def boundary_weights(mask, w0=5.0, sigma=2.0):
    """Weights 1 + w0 exp(-d^2 / 2 sigma^2) of one (H, W) integer mask: float64 (H, W).

    d is the Euclidean distance from a pixel to the nearest pixel of another class
    (1 next to a boundary); a mask of a single class has no boundary, weight 1.
    The taught core of :func:`boundary_weight_map` (no checks).
    """
    d = np.full(mask.shape, np.inf)  # no other class anywhere: weight 1
    for c in np.unique(mask):
        inside = mask == c
        if not inside.all():  # each pixel of c: distance to nearest non-c
            d[inside] = ndimage.distance_transform_edt(inside)[inside]
    return 1 + w0 * np.exp(-(d**2) / (2 * sigma**2))


def boundary_weight_map(target, w0=5.0, sigma=2.0):
    """Pixel weights 1 + w0 exp(-d^2 / (2 sigma^2)), d = distance to another class.

    ``target`` (N, H, W) or (H, W) integer masks, a tensor or an array; returns float32
    weights of the same shape (a tensor for a tensor), :func:`boundary_weights` of
    each mask.
    """
    if not w0 >= 0 or not sigma > 0:
        raise ValueError(f"need w0 >= 0 and sigma > 0, got w0={w0!r}, sigma={sigma!r}")
    is_tensor = isinstance(target, torch.Tensor)
    masks = target.cpu().numpy() if is_tensor else np.asarray(target)
    if masks.ndim not in (2, 3) or masks.dtype.kind not in "iu":
        raise ValueError(
            f"target must be an integer (N, H, W) or (H, W) mask, "
            f"got {masks.dtype} {masks.shape}"
        )
    flat = masks.reshape(-1, *masks.shape[-2:])
    weight = np.stack([boundary_weights(m, w0, sigma) for m in flat])
    weight = weight.astype(np.float32).reshape(masks.shape)
    return torch.from_numpy(weight).to(target.device) if is_tensor else weight


def boundary_weighted_cross_entropy(logits, target, weight=None, w0=5.0, sigma=2.0):
    """Cross-entropy weighted by :func:`boundary_weight_map` (computed if not given)."""
    if weight is None:
        weight = boundary_weight_map(target, w0=w0, sigma=sigma)
    return cross_entropy(logits, target, weight=weight.to(logits.dtype))


def _check_masks(pred, target, num_classes):
    if pred.shape != target.shape:
        raise ValueError(
            f"pred and target must have the same shape, got {tuple(pred.shape)} "
            f"and {tuple(target.shape)}"
        )
    for name, m in (("pred", pred), ("target", target)):
        _check_class_indices(name, m, num_classes)


def confusion_counts(pred, target, num_classes):
    """True positives, false positives and false negatives per class: three (K,).

    ``pred`` and ``target`` integer masks of one shape, counts pooled over every pixel.
    The taught core of :func:`iou_per_class` and :func:`dice_per_class`, which check
    their arguments; this function does not.
    """
    pred, target = pred.reshape(-1), target.reshape(-1)
    tp = torch.bincount(target[pred == target], minlength=num_classes)
    fp = torch.bincount(pred, minlength=num_classes) - tp  # said c, was not
    fn = torch.bincount(target, minlength=num_classes) - tp  # was c, missed
    return tp, fp, fn


def iou_per_class(pred, target, num_classes):
    """IoU_c = |P_c ∩ T_c| / |P_c ∪ T_c| = tp / (tp + fp + fn): (C,) float64, NaN if empty."""
    _check_masks(pred, target, num_classes)
    tp, fp, fn = (t.double() for t in confusion_counts(pred, target, num_classes))
    return tp / (tp + fp + fn)  # 0/0 = NaN: the class is in neither mask


def dice_per_class(pred, target, num_classes):
    """Dice_c = 2|P_c ∩ T_c| / (|P_c| + |T_c|) = 2tp / (2tp + fp + fn): (C,), NaN if empty."""
    _check_masks(pred, target, num_classes)
    tp, fp, fn = (t.double() for t in confusion_counts(pred, target, num_classes))
    return 2 * tp / (2 * tp + fp + fn)


def mean_iou(pred, target, num_classes, include_background=False):
    """Mean of :func:`iou_per_class` over the classes that occur (NaN ones left out)."""
    scores = iou_per_class(pred, target, num_classes)
    return float(torch.nanmean(scores if include_background else scores[1:]))


def mean_dice(pred, target, num_classes, include_background=False):
    """Mean of :func:`dice_per_class` over the classes that occur (NaN ones left out)."""
    scores = dice_per_class(pred, target, num_classes)
    return float(torch.nanmean(scores if include_background else scores[1:]))
