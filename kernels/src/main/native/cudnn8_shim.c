/*
 * libcudnn.so.8 for machines that have only cuDNN 9: JCudnn 11.7.0's native library is linked against cuDNN 8's
 * versioned symbols, so it cannot load cuDNN 9. This library defines that symbol version and forwards the legacy
 * convolution API that Brink calls (JCudnnConv; the same functions, signatures and enum values in cuDNN 9) to
 * libcudnn.so.9. A function the loaded cuDNN lacks, or every function when no cuDNN 9 is found, returns
 * CUDNN_STATUS_NOT_SUPPORTED, and Brink then uses its own convolution kernels. Build with `make cuda-shims`, then
 * put kernels/target/cuda-shims on LD_LIBRARY_PATH.
 */
#include "forward.h"

#define CUDNN_FUNCTIONS(X)                                                                                        \
    X(cudnnGetVersion) X(cudnnGetCudartVersion) X(cudnnCreate) X(cudnnDestroy)                                   \
    X(cudnnSetStream) X(cudnnGetStream) X(cudnnCreateTensorDescriptor) X(cudnnDestroyTensorDescriptor)            \
    X(cudnnSetTensor4dDescriptor) X(cudnnSetTensor4dDescriptorEx) X(cudnnSetTensorNdDescriptor)                   \
    X(cudnnCreateFilterDescriptor) X(cudnnDestroyFilterDescriptor) X(cudnnSetFilter4dDescriptor)                  \
    X(cudnnSetFilterNdDescriptor) X(cudnnCreateConvolutionDescriptor) X(cudnnDestroyConvolutionDescriptor)        \
    X(cudnnSetConvolution2dDescriptor) X(cudnnSetConvolutionNdDescriptor) X(cudnnSetConvolutionGroupCount)        \
    X(cudnnSetConvolutionMathType) X(cudnnGetConvolution2dForwardOutputDim)                                        \
    X(cudnnGetConvolutionForwardAlgorithm_v7) X(cudnnGetConvolutionBackwardDataAlgorithm_v7)                       \
    X(cudnnGetConvolutionBackwardFilterAlgorithm_v7) X(cudnnGetConvolutionForwardWorkspaceSize)                   \
    X(cudnnGetConvolutionBackwardDataWorkspaceSize) X(cudnnGetConvolutionBackwardFilterWorkspaceSize)             \
    X(cudnnConvolutionForward) X(cudnnConvolutionBackwardData) X(cudnnConvolutionBackwardFilter)

FORWARD_ALL(CUDNN_FUNCTIONS, 9) /* CUDNN_STATUS_NOT_SUPPORTED */
FORWARD_RESOLVE_ALL(CUDNN_FUNCTIONS, "libcudnn.so.9")
