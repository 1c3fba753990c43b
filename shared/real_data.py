"""Real images and digits that ship inside the pinned wheels (nothing is downloaded).

``skimage.data`` carries photographs, textures, the LFW face subset and the Middlebury
motorcycle stereo pair; ``sklearn.datasets.load_digits`` carries 1,797 real 8x8 digits. The
loaders here are for notebooks, data helpers and tests only: graded student modules may not
import scikit-image or scikit-learn. Each loader is cached and returns fresh copies, so a
caller may modify what it gets.

Each homework adds its loaders below as separate functions.
"""
from __future__ import annotations
