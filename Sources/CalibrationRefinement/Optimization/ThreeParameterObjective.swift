import Foundation

/// A function of three parameters with automatic first and second derivatives.
public protocol ThreeParameterObjective {
    func value(_ x: SIMD3<Double>) -> Double
    func valueAndGradient(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>)
    func valueGradientHessian(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>, hessian: [Double])
}

extension BatchLoss: ThreeParameterObjective {}
