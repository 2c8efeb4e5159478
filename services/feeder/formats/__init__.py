"""One module per wire format; each turns bytes into raw articles or rejections."""
